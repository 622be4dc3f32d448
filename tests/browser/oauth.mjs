// An OAuth login through the inspector's page, in a real browser: a local
// authorization server (which consents at once) and an MCP server that
// trusts it (the testkit's `oauth_login_server` example); the page connects
// to the protected URL, the authorization page opens in a new tab and
// sends the browser back to the inspector, the server ends up connected,
// the OAuth tab shows every stage, and no secret shows unmasked. Run by
// scripts/browser-tests.sh, which builds the binaries.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';

import { launchBrowser, screenshot, startInspector, stopInspector } from './support/inspector.mjs';

const OAUTH_SERVER = process.env.MCPWIRE_OAUTH_SERVER;

let servers;
let mcpUrl;
let inspector;
let url;
let browser;
let context;
let page;

/** Starts the protected server and its authorization server: its URL and issuer. */
function startProtected() {
  const proc = spawn(OAUTH_SERVER, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const got = [];
    const timer = setTimeout(() => reject(new Error('no URLs within 20 s')), 20000);
    lines.on('line', (line) => {
      got.push(line.trim());
      if (got.length === 2) {
        clearTimeout(timer);
        resolve({ proc, mcp: got[0], issuer: got[1] });
      }
    });
    proc.once('exit', (code) => reject(new Error(`oauth_login_server exited with ${code}`)));
  });
}

before(async () => {
  assert.ok(OAUTH_SERVER, 'MCPWIRE_OAUTH_SERVER names the oauth_login_server example of the testkit');
  browser = await launchBrowser();
  ({ proc: servers, mcp: mcpUrl } = await startProtected());
  ({ proc: inspector, url } = await startInspector([]));
  context = await browser.newContext();
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await stopInspector(inspector);
  if (servers && servers.exitCode === null) {
    servers.kill('SIGTERM');
    await new Promise((r) => servers.once('exit', r));
  }
});

test('connecting to a protected server logs in through a new tab and shows every stage, masked', async () => {
  await page.goto(url);
  await page.locator('body[data-ready]').waitFor();

  const popup = context.waitForEvent('page');
  await page.locator('#connect-target').fill(mcpUrl);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  // The authorization page opens, consents at once and sends the browser
  // back to the inspector's callback, which carries no cookie.
  const tab = await popup;
  await tab.getByText('The authorization is complete').waitFor();
  const callback = new URL(tab.url());
  assert.equal(callback.origin, new URL(url).origin);
  assert.equal(callback.pathname, '/oauth/callback');
  const code = callback.searchParams.get('code');
  assert.ok(code, `a code in ${callback}`);

  const head = page.locator('#server-head');
  await head.getByText('state: connected').waitFor();
  await head.getByText('auth-test').waitFor();

  await page.getByRole('tab', { name: 'OAuth' }).click();
  const view = page.locator('#view-oauth');
  for (const stage of ['resource_metadata', 'server_metadata', 'registration', 'authorization', 'token']) {
    await view.locator(`[data-stage="${stage}"][data-state="done"]`).waitFor();
  }
  // In the order of the flow.
  const order = await view.locator('[data-stage]').evaluateAll((els) => els.map((e) => e.dataset.stage));
  assert.deepEqual(order, ['resource_metadata', 'server_metadata', 'registration', 'authorization', 'token', 'refresh']);
  assert.match(await view.locator('[data-stage="registration"]').textContent(), /POST http:\S+\/register HTTP 201/);
  assert.match(await view.locator('[data-stage="authorization"]').textContent(), /PKCE S256/);
  assert.match(await view.locator('[data-stage="token"]').textContent(), /HTTP 200/);

  await page.getByRole('button', { name: 'Refresh token' }).click();
  await view.locator('[data-stage="refresh"][data-state="done"]').waitFor();
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'oauth');

  // No secret shows: not the code, and every token, verifier and secret
  // the steps carry is masked.
  const shown = await page.content();
  assert.ok(!shown.includes(code), 'the authorization code shows unmasked');
  assert.doesNotMatch(shown, /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/, 'a whole JWT shows');
  const steps = await page.evaluate(async () => {
    const list = (await (await fetch('/api/servers')).json()).servers;
    return (await (await fetch(`/api/servers/${list[0].id}/oauth`)).json()).steps;
  });
  const masked = (v) => v === '•••' || (v.endsWith('…') && v.length <= 5);
  let checked = 0;
  for (const s of steps) {
    if (s.response && s.response.startsWith('{')) {
      const body = JSON.parse(s.response);
      for (const k of ['access_token', 'refresh_token', 'client_secret', 'id_token']) {
        if (typeof body[k] === 'string') { assert.ok(masked(body[k]), `${k}: ${body[k]}`); checked += 1; }
      }
    }
    if (s.request && s.request.includes('grant_type=')) {
      const form = new URLSearchParams(s.request);
      for (const k of ['code', 'code_verifier', 'refresh_token', 'client_secret']) {
        if (form.has(k)) { assert.ok(masked(form.get(k)), `${k}: ${form.get(k)}`); checked += 1; }
      }
    }
    for (const [k, v] of s.requestHeaders || []) {
      if (k.toLowerCase() === 'authorization') { assert.match(v, /^\w+ (•••|.{1,4}…)$/); checked += 1; }
    }
  }
  // The code, its verifier, two access tokens and the refresh tokens at least.
  assert.ok(checked >= 5, `only ${checked} secrets were checked`);
});
