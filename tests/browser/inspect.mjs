// `mcpwire inspect` in a real browser (Debian's chromium, driven by
// playwright-core): a person's path through the page against the echo
// example over stdio, and the refusals of requests without the token or
// from another origin. Run by scripts/browser-tests.sh, which installs the
// browser and playwright-core and builds the binaries.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { spawn } from 'node:child_process';

import { BIN, launchBrowser, startInspector, stopInspector } from './support/inspector.mjs';

const ECHO = process.env.MCPWIRE_ECHO;

let inspector;
let browser;
let context;
let page;
let url;
let base;
let started;

/** A plain HTTP request to the inspector, with the headers given. */
function request(pathname, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: pathname, method, headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const token = () => new URL(url).searchParams.get('token');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

before(async () => {
  // The browser first, so that the time to interactive counts from the
  // start of `inspect` alone.
  browser = await launchBrowser();
  ({ proc: inspector, url, t0: started } = await startInspector(['--', ECHO, 'stdio']));
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  base = new URL(url).origin;
  context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await stopInspector(inspector);
});

test('the page opens on the launch URL, shows the server and calls a tool through its form', async () => {
  await page.goto(url);
  // The token left the address bar for the cookie.
  assert.equal(new URL(page.url()).search, '');
  await page.locator('body[data-tools-ready]').waitFor();
  const interactive = performance.now() - started;
  console.log(`measured: time to interactive (inspect started -> tool list shown): ${interactive.toFixed(0)} ms`);

  const head = page.locator('#server-head');
  await head.getByText('mcpwire-echo').waitFor();
  assert.match(await head.textContent(), /revision 2026-07-28/);
  assert.match(await head.textContent(), /Echoes text back/);

  await page.getByRole('listbox', { name: 'Tools' }).getByRole('option', { name: /^echo/ }).click();
  await page.getByLabel('text', { exact: true }).fill('hello from the browser');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const result = page.getByRole('region', { name: 'Result' });
  await result.locator('pre.text').waitFor();
  assert.equal(await result.locator('pre.text').textContent(), 'hello from the browser');

  // The UI's share of a call: the page's round trip less the call itself.
  const overheads = [];
  for (let i = 0; i < 20; i++) {
    await page.getByLabel('text', { exact: true }).fill(`call ${i}`);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await result.locator('pre.text', { hasText: `call ${i}` }).waitFor();
    const { callMs, roundTripMs } = await result.evaluate((el) => ({ ...el.dataset }));
    overheads.push(Number(roundTripMs) - Number(callMs));
  }
  console.log(`measured: UI overhead of a tool call (page round trip - client call), median of 20: ${median(overheads).toFixed(2)} ms`);
  // The same path (the page's api() call) with no driver polling the page
  // meanwhile, as when a person clicks.
  const quiet = await page.evaluate(async () => {
    const { api } = await import('/ui/api.js');
    const xs = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await api('/api/servers/1/call', { method: 'POST', body: { name: 'echo', arguments: { text: 'x' } } });
      xs.push(performance.now() - t - r.ms);
    }
    return xs;
  });
  console.log(`measured: the same, the page undriven, median of 20: ${median(quiet).toFixed(2)} ms`);
  // What any fetch of this page costs in this browser, for comparison.
  const fetches = await page.evaluate(async () => {
    const xs = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await (await fetch('/api/servers')).text();
      xs.push(performance.now() - t);
    }
    return xs;
  });
  console.log(`measured: a bare fetch of /api/servers from the page, median of 20: ${median(fetches).toFixed(2)} ms`);
});

test('the raw-JSON alternative calls the tool with what is typed', async () => {
  await page.getByRole('listbox', { name: 'Tools' }).getByRole('option', { name: /^add/ }).click();
  // One of the two at a time: the form, or the JSON.
  assert.equal(await page.getByLabel('Arguments (JSON)').isVisible(), false);
  await page.getByRole('button', { name: 'Raw JSON' }).click();
  assert.equal(await page.getByLabel('a', { exact: true }).isVisible(), false);
  await page.getByLabel('Arguments (JSON)').fill('{"a": 2, "b": 40}');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const result = page.getByRole('region', { name: 'Result' });
  await result.locator('pre.text', { hasText: '42' }).waitFor();
});

test('the tool list filters as one types', async () => {
  const filter = page.getByLabel('Filter tools');
  await filter.fill('numbers');
  await page.getByText('1 of 2 tools').waitFor();
  const names = await page.getByRole('listbox', { name: 'Tools' }).getByRole('option').allTextContents();
  assert.equal(names.length, 1);
  assert.match(names[0], /^add/);
  await filter.fill('');
  await page.getByText('2 tools', { exact: true }).waitFor();
});

test('the protocol log is exported with the tools/call request and its response', async () => {
  await page.getByRole('tab', { name: 'Protocol' }).click();
  await page.getByRole('list', { name: 'Messages' }).getByText('tools/call', { exact: false }).first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSON' }).click(),
  ]);
  const file = path.join(os.tmpdir(), `mcpwire-export-${process.pid}.json`);
  await download.saveAs(file);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  const call = doc.entries.find((e) => e.dir === 'out' && e.frame.method === 'tools/call'
    && e.frame.params.arguments.text === 'hello from the browser');
  assert.ok(call, 'the tools/call request is in the export');
  const answer = doc.entries.find((e) => e.dir === 'in' && e.frame.id === call.frame.id && e.frame.result);
  assert.ok(answer, 'its response is in the export');
  assert.equal(answer.frame.result.content[0].text, 'hello from the browser');
  assert.ok(answer.t >= call.t, 'entries are timed');

  // Any request can be sent again from the view.
  const frame = page.getByRole('list', { name: 'Messages' }).locator('.frame', { hasText: 'tools/call' }).first();
  await frame.locator('summary').click();
  await frame.getByRole('button', { name: /^Send message \d+ again$/ }).click();
  await page.getByRole('region', { name: 'Replay result' }).locator('pre', { hasText: '"content"' }).waitFor();

  // The view filters too.
  await page.getByLabel('Filter messages').fill('"method":"server/discover"');
  // The probe and nothing else: the request (its answer has no method).
  await page.waitForFunction(() => document.querySelectorAll('.frames .frame').length === 1);
  assert.match(await page.locator('.frames .frame summary').textContent(), /server\/discover #0/);
  await page.getByLabel('Filter messages').fill('');
  await page.getByRole('tab', { name: 'Tools' }).click();
});

test('a call saved to a collection runs from the page and headlessly with mcpwire test', async () => {
  await page.getByRole('listbox', { name: 'Tools' }).getByRole('option', { name: /^echo/ }).click();
  await page.getByLabel('text', { exact: true }).fill('kept for CI');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByRole('region', { name: 'Result' }).locator('pre.text', { hasText: 'kept for CI' }).waitFor();
  await page.getByRole('button', { name: 'Save to collection' }).click();
  await page.getByRole('tab', { name: 'Collections' }).click();
  await page.getByRole('list', { name: 'Steps' }).getByText('tools/call echo').first().waitFor();
  await page.getByRole('button', { name: 'Run against this server' }).click();
  const report = page.getByRole('region', { name: 'Run report' });
  await report.locator('[data-passed]').first().waitFor();
  assert.equal(await report.getAttribute('data-passed'), 'true');

  // The downloaded file is what `mcpwire test` runs in CI.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download' }).click(),
  ]);
  const file = path.join(os.tmpdir(), `mcpwire-collection-${process.pid}.json`);
  await download.saveAs(file);
  const run = (f) => new Promise((resolve) => {
    const p = spawn(BIN, ['test', f, '--', ECHO, 'stdio'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.once('exit', (code) => resolve({ code, out }));
  });
  const ok = await run(file);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /PASS\s+tools\/call echo/);
  // An expectation the server does not meet fails the run.
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  doc.steps[0].expect.textContains = 'something else';
  fs.writeFileSync(file, JSON.stringify(doc));
  const bad = await run(file);
  fs.rmSync(file);
  assert.notEqual(bad.code, 0, bad.out);
  assert.match(bad.out, /FAIL/);

  // A session recorded from the protocol log replays against the server.
  await page.getByRole('button', { name: 'Record from the protocol log' }).click();
  await page.waitForFunction(() => document.getElementById('collection-name').value.startsWith('recorded session'));
  await page.getByRole('button', { name: 'Run against this server' }).click();
  await page.waitForFunction(() => {
    const r = document.querySelector('[aria-label="Run report"]');
    return r && r.dataset.passed !== undefined && r.textContent.includes('passed');
  });
  assert.equal(await report.getAttribute('data-passed'), 'true', await report.textContent());
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('tab', { name: 'Tools' }).click();
});

test('the keyboard reaches the tools, and the theme switches', async () => {
  const list = page.getByRole('listbox', { name: 'Tools' });
  await list.focus();
  await page.keyboard.press('End');
  await page.getByRole('heading', { name: 'add', exact: true }).waitFor();
  await page.keyboard.press('Home');
  await page.getByRole('heading', { name: 'echo', exact: true }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('heading', { name: 'add', exact: true }).waitFor();
  // Enter moves into the tool's form, on its first field.
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent), 'a');
  // The tabs follow the arrow keys.
  await page.getByRole('tab', { name: 'Tools' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Resources' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByRole('tab', { name: 'Tools' }).getAttribute('aria-selected'), 'true');

  const theme = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const before = await theme();
  await page.getByRole('button', { name: 'Switch between light and dark theme' }).click();
  assert.notEqual(await theme(), before);
  await page.getByRole('button', { name: 'Switch between light and dark theme' }).click();
  assert.equal(await theme(), before);
});

test('requests without the token, with a wrong one, or with a foreign Host are refused', async () => {
  assert.equal((await request('/api/servers', { headers: { host: new URL(base).host } })).status, 401);
  assert.equal((await request('/', { headers: { host: new URL(base).host } })).status, 401);
  assert.equal((await request('/api/servers', { headers: { authorization: 'Bearer nope' } })).status, 401);
  const ok = await request('/api/servers', { headers: { authorization: `Bearer ${token()}` } });
  assert.equal(ok.status, 200);
  const bad = await request('/api/servers', {
    headers: { authorization: `Bearer ${token()}`, host: `attacker.example:${new URL(base).port}` },
  });
  assert.equal(bad.status, 403);
});

test('a page of another origin cannot start a command, even with the cookie in the browser', async () => {
  const listServers = async () => JSON.parse((await request('/api/servers', {
    headers: { authorization: `Bearer ${token()}` },
  })).body).servers;
  const before = (await listServers()).length;
  const marker = path.join(os.tmpdir(), `mcpwire-inspect-pwned-${process.pid}`);
  fs.rmSync(marker, { force: true });
  const evil = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><script>
      fetch(${JSON.stringify(`${base}/api/servers`)}, {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ command: 'touch', args: [${JSON.stringify(marker)}] }),
      }).finally(() => { document.title = 'sent'; });
    </script>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  try {
    const other = await context.newPage();
    const refused = other.waitForResponse((r) => r.url() === `${base}/api/servers`);
    await other.goto(`http://127.0.0.1:${evil.address().port}/`);
    assert.equal((await refused).status(), 403);
    await other.close();
  } finally {
    evil.close();
  }
  assert.equal(fs.existsSync(marker), false, 'the command did not run');
  assert.equal((await listServers()).length, before, 'no server was added');
});

test('a second server connected from the page: 5,000 tools filter as one types, and a schema form builds nested arguments', async () => {
  const server = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'many-tools-server.mjs');
  await page.getByLabel('URL or command').fill(`${process.execPath} ${server}`);
  await page.getByLabel('Era', { exact: true }).selectOption('legacy');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const sidebar = page.getByRole('navigation', { name: 'Servers' });
  await sidebar.getByRole('button', { name: 'Show many-tools 1.0.0' }).waitFor();
  // Both servers stay in the sidebar.
  await sidebar.getByRole('button', { name: /^Show mcpwire-echo/ }).waitFor();
  await page.getByText('5001 tools', { exact: true }).waitFor();
  assert.match(await page.locator('#server-head').textContent(), /revision 2025-11-25/);
  // Only the rows in sight are drawn.
  const drawn = await page.getByRole('listbox', { name: 'Tools' }).getByRole('option').count();
  assert.ok(drawn > 0 && drawn < 100, `${drawn} rows drawn for 5001 tools`);

  // Typing into the filter: the time from each key to the list drawn.
  const perKey = await page.evaluate(() => {
    const input = document.getElementById('tool-filter');
    const times = [];
    for (const q of ['t', 'to', 'too', 'tool', 'tool_', 'tool_4', 'tool_49', 'tool_499', 'tool_4999']) {
      const t = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input'));
      document.querySelector('.vlist').getBoundingClientRect();
      times.push(performance.now() - t);
    }
    return times;
  });
  console.log(`measured: filtering 5,001 tools, per keystroke (ms): ${perKey.map((t) => t.toFixed(1)).join(' ')}`);
  await page.getByText('1 of 5001 tools').waitFor();
  await page.getByLabel('Filter tools').fill('complex');
  await page.getByRole('listbox', { name: 'Tools' }).getByRole('option', { name: /^complex/ }).click();

  await page.getByLabel('mode', { exact: true }).selectOption('slow');
  await page.getByLabel('x', { exact: true }).fill('1');
  await page.getByLabel('y', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Add item to tags' }).click();
  await page.getByLabel('tags[0]', { exact: true }).fill('a');
  await page.getByLabel('note is null').check();
  await page.getByLabel('limit', { exact: true }).fill('5');
  await page.getByLabel('shape (variant)').selectOption('square');
  await page.getByLabel('side', { exact: true }).fill('3');
  assert.equal(await page.getByLabel('title', { exact: true }).inputValue(), 'untitled');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const text = page.getByRole('region', { name: 'Result' }).locator('pre.text');
  await text.waitFor();
  assert.deepEqual(JSON.parse(await text.textContent()), {
    title: 'untitled', mode: 'slow', at: { x: 1, y: 2 }, tags: ['a'], note: null, limit: 5, shape: { side: 3 },
  });
});

test('a server is reconnected in another era from its heading', async () => {
  const sidebar = page.getByRole('navigation', { name: 'Servers' });
  await sidebar.getByRole('button', { name: /^Show mcpwire-echo/ }).click();
  const head = page.locator('#server-head');
  await head.getByText('revision 2026-07-28').waitFor();
  await page.getByLabel('Reconnect in era').selectOption('legacy');
  await head.getByText('revision 2025-11-25').waitFor();
  assert.match(await head.textContent(), /era legacy/);
  // One echo server still, now in a session.
  assert.equal(await sidebar.getByRole('button', { name: /^Show mcpwire-echo/ }).count(), 1);
});
