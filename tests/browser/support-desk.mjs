// `mcpwire inspect` in a real browser against `mcpwire serve support-desk`
// over stdio (the 2026-07-28 era): a tool called through its form, a
// resource followed while a tool changes it, a prompt completed, and
// screenshots of the main views (into $SCREENSHOTS, default
// target/screenshots). Run by scripts/browser-tests.sh.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BIN, driver, openInspector, screenshot } from './support/inspector.mjs';

const db = path.join(os.tmpdir(), `mcpwire-desk-${process.pid}.db`);

let session;
let page;
let tab;
let tool;
let result;

before(async () => {
  fs.rmSync(db, { force: true });
  session = await openInspector(['--', BIN, 'serve', 'support-desk', '--db', db]);
  page = session.page;
  ({ tab, tool, result } = driver(page));
});

after(async () => {
  await session?.close();
  fs.rmSync(db, { force: true });
});

const shot = (name) => screenshot(page, name);

test('a followed ticket is read again when a tool escalates it', async () => {
  assert.match(await page.locator('#server-head').textContent(), /revision 2026-07-28/);
  await tab('Resources');
  await page.locator('body[data-resources-ready]').waitFor();
  await page.getByRole('list', { name: 'Resources' }).getByRole('button', { name: /^Ticket 43/ }).click();
  const contents = page.getByRole('region', { name: 'Contents' });
  await contents.locator('pre.text').waitFor();
  assert.doesNotMatch(await contents.textContent(), /printer is on fire/);
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('button', { name: 'Unsubscribe' }).waitFor();
  await shot('resources');

  await tool('escalate_ticket');
  await page.getByLabel('reason', { exact: true }).fill('printer is on fire');
  // ticket_id is an integer or a string: the form offers both.
  const id = page.locator('form[aria-label="Arguments of escalate_ticket"]');
  await id.getByRole('button', { name: 'Raw JSON' }).click();
  await page.getByLabel('Arguments (JSON)').fill('{"ticket_id": 43, "reason": "printer is on fire"}');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().locator('pre.text').first().waitFor();
  await shot('tools');

  await tab('Resources');
  await page.getByText(/^updated at /).waitFor({ timeout: 15000 });
  await page.getByRole('region', { name: 'Contents' }).getByText(/printer is on fire/).waitFor();
});

test('a prompt\'s ticket argument is completed, and its messages rendered', async () => {
  await tab('Prompts');
  await page.getByRole('button', { name: 'resolution_prompt' }).click();
  const view = page.locator('#view-prompts');
  const ticket = view.getByLabel('ticket_id', { exact: true });
  await ticket.fill('4');
  await page.waitForFunction(() => (document.getElementById('parg-ticket_id').dataset.completions || '').split('\n').includes('42'));
  await ticket.fill('42');
  await view.getByLabel('account_tier', { exact: true }).fill('pro');
  await page.getByRole('button', { name: 'Get prompt' }).click();
  await page.getByRole('list', { name: 'Messages' }).locator('.message').first().waitFor();
  assert.match(await page.getByRole('list', { name: 'Messages' }).textContent(), /42/);
  await shot('prompts');
});

test('ticket 42 is closed from the ticket board, an MCP App the inspector hosts', async () => {
  await tool('ticket_board');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const app = page.getByRole('region', { name: 'App' });
  await app.locator('[data-app-ready="true"]').or(page.locator('.app[data-app-ready="true"]')).first().waitFor();
  const board = page.frameLocator('iframe.app-frame');
  await board.locator('li[data-ticket="42"]').waitFor();
  // The app is on an origin of its own: the page's cookie and DOM are out of its reach.
  const origin = await page.locator('iframe.app-frame').getAttribute('src');
  assert.notEqual(new URL(origin).port, new URL(page.url()).port);
  await board.locator('button[data-close="42"]').click();
  // The app's tool call waits for the person's consent.
  const consent = page.getByRole('alertdialog', { name: 'The app asks to call a tool' });
  await consent.getByText('close_ticket').waitFor();
  await shot('app');
  await consent.getByRole('button', { name: 'Allow' }).click();
  await board.locator('#status', { hasText: 'Closed ticket 42.' }).waitFor();
  await board.locator('li[data-ticket="42"]').waitFor({ state: 'detached' });
  // The desk agrees: ticket 42 left the open ones, and reads as closed.
  await tab('Resources');
  await page.getByRole('list', { name: 'Resources' }).getByRole('button', { name: /^Ticket 43/ }).waitFor();
  assert.equal(await page.getByRole('list', { name: 'Resources' }).getByRole('button', { name: /^Ticket 42/ }).count(), 0);
  await page.getByRole('list', { name: 'Resource templates' }).getByRole('button', { name: 'ticket' }).click();
  await page.locator('#view-resources').getByLabel('ticket_id', { exact: true }).fill('42');
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  await page.getByRole('region', { name: 'Contents' }).getByText(/Status:\*\* closed/).waitFor();
});

test('the protocol view and the notifications view', async () => {
  await tab('Protocol');
  await page.getByRole('list', { name: 'Messages' }).getByText('subscriptions/listen').first().waitFor();
  await shot('protocol');
  await tab('Notifications');
  await shot('notifications');
});
