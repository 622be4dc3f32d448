// The support desk's ticket board (ui://desk/board, an MCP App) in a real
// browser: the page runs in a sandboxed frame of a small scripted host,
// which answers `ui/initialize`, hands it a real `ticket_board` result, and
// carries its `tools/call` requests to a real `mcpwire serve support-desk`
// over HTTP (through `mcpwire call`). Clicking Close on ticket 42 closes it
// in the desk's database and takes it off the board. Run by
// scripts/browser-tests.sh, which installs the browser and playwright-core
// and builds the binaries.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const require = createRequire(path.join(process.env.BROWSER_CACHE, 'package.json'));
const { chromium } = require('playwright-core');

const BIN = process.env.MCPWIRE_BIN;
const BOARD = 'ui://desk/board';

let desk;
let url;
let browser;
let context;
let page;
let dir;

/** The exit code of `mcpwire call` whose result is `isError`. */
const TOOL_ERROR_EXIT = 5;

/** `mcpwire --json ARGS` against the desk; its parsed output (a tool's
 * `isError` result too, which the page must see as such). */
function mcpwire(args) {
  return new Promise((resolve, reject) => {
    execFile(BIN, ['--json', ...args], { timeout: 20000 }, (err, stdout, stderr) => {
      if (err && err.code !== TOOL_ERROR_EXIT) {
        reject(new Error(`mcpwire ${args.join(' ')}: ${err.message}; ${stderr}`));
      } else {
        resolve(JSON.parse(stdout));
      }
    });
  });
}

/** `tools/call` through the CLI: object arguments become key=value words. */
function callTool(name, args = {}) {
  const words = Object.entries(args).map(([k, v]) => `${k}=${v}`);
  return mcpwire(['call', url, name, ...words]);
}

/** Starts the desk on a free port and reads its URL off its first line. */
function startDesk(db) {
  const proc = spawn(BIN, ['serve', 'support-desk', '--db', db, '--http', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s; stderr: ${stderr}`)), 20000);
    readline.createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ proc, url: line.trim() });
    });
    proc.once('exit', (code) => reject(new Error(`the desk exited with ${code}: ${stderr}`)));
  });
}

// The host: frames the page without same-origin rights, logs what it
// says, and answers it as an MCP Apps host does.
const HOST = `<!doctype html><meta charset="utf-8"><title>host</title>
<iframe id="app" sandbox="allow-scripts" style="width:640px;height:480px"></iframe>
<script>
  const frame = document.getElementById('app');
  window.heard = [];
  const post = (m) => frame.contentWindow.postMessage({ jsonrpc: '2.0', ...m }, '*');
  window.addEventListener('message', async (e) => {
    if (e.source !== frame.contentWindow) return;
    const m = e.data;
    window.heard.push(m);
    if (m.method === 'ui/initialize') {
      post({ id: m.id, result: { protocolVersion: m.params.protocolVersion,
        hostInfo: { name: 'test-host', version: '1' }, hostCapabilities: { serverTools: {} }, hostContext: {} } });
    } else if (m.method === 'ui/notifications/initialized') {
      post({ method: 'ui/notifications/tool-input', params: { arguments: {} } });
      post({ method: 'ui/notifications/tool-result', params: window.firstResult });
    } else if (m.method === 'tools/call') {
      try {
        post({ id: m.id, result: await window.callTool(m.params.name, m.params.arguments) });
      } catch (err) {
        post({ id: m.id, error: { code: -32603, message: String(err) } });
      }
    }
  });
</script>`;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-board-'));
  ({ proc: desk, url } = await startDesk(path.join(dir, 'desk.db')));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  context = await browser.newContext();
  await context.exposeFunction('callTool', callTool);
});

/** A fresh host page whose frame shows `html`, handed `result` first. */
async function openBoard(html, result) {
  page = await context.newPage();
  await page.setContent(HOST);
  await page.evaluate(([h, r]) => {
    window.firstResult = r;
    document.getElementById('app').srcdoc = h;
  }, [html, result]);
  return page.frameLocator('#app');
}

after(async () => {
  await browser?.close();
  if (desk && desk.exitCode === null) {
    desk.kill('SIGINT');
    await new Promise((r) => desk.once('exit', r));
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the board draws the open tickets and Close on ticket 42 closes it through the host', async () => {
  const read = await mcpwire(['read', url, BOARD]);
  const [contents] = read.contents;
  assert.equal(contents.mimeType, 'text/html;profile=mcp-app');
  const first = await callTool('ticket_board');
  assert.equal(first.structuredContent.tickets.length, 8);

  const app = await openBoard(contents.text, first);
  const rows = app.locator('li[data-ticket]');
  await app.locator('li[data-ticket="42"]').waitFor();
  assert.equal(await rows.count(), 8);
  assert.match(await app.locator('li[data-ticket="42"]').textContent(), /Cannot log in after password change/);

  await app.locator('button[data-close="42"]').click();
  await app.locator('li[data-ticket="42"]').waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 7);
  await app.getByRole('status').getByText('Closed ticket 42.').waitFor();

  // The desk closed it, with the resolution the page sent.
  const ticket = await mcpwire(['read', url, 'ticket://42']);
  assert.match(ticket.contents[0].text, /\*\*Status:\*\* closed/);
  assert.match(ticket.contents[0].text, /Resolved from the ticket board\./);

  // What the page said to its host, in order.
  const heard = await page.evaluate(() => window.heard);
  const methods = heard.map((m) => m.method).filter((m) => m !== 'ui/notifications/size-changed');
  assert.deepEqual(methods, ['ui/initialize', 'ui/notifications/initialized', 'tools/call', 'tools/call']);
  const init = heard[0].params;
  assert.equal(init.protocolVersion, '2026-01-26');
  assert.equal(init.appInfo.name, 'support-desk-ticket-board');
  const calls = heard.filter((m) => m.method === 'tools/call').map((m) => m.params);
  assert.deepEqual(calls, [
    { name: 'close_ticket', arguments: { ticket_id: 42, resolution: 'Resolved from the ticket board.' } },
    { name: 'ticket_board', arguments: {} },
  ]);
  const sizes = heard.filter((m) => m.method === 'ui/notifications/size-changed');
  assert.ok(sizes.length >= 1 && sizes.every((m) => m.params.height > 0), JSON.stringify(sizes));
});

test('a refused close shows the reason and leaves the ticket on the board', async () => {
  // Ticket 42 is closed now; a board drawn from the old result still
  // shows it, and the desk refuses to close it twice.
  const stale = { structuredContent: { tickets: [{ id: 42, subject: 'Cannot log in after password change',
    status: 'open', customer_name: 'Alice Martin', customer_email: 'alice@example.com', tier: 'pro', escalations: 0 }] } };
  const [contents] = (await mcpwire(['read', url, BOARD])).contents;
  const app = await openBoard(contents.text, stale);
  await app.locator('button[data-close="42"]').click();
  await app.getByRole('status').getByText(/already closed/).waitFor();
  assert.equal(await app.locator('li[data-ticket="42"]').count(), 1);
  assert.equal(await app.locator('button[data-close="42"]').isEnabled(), true);
});
