// `mcpwire inspect` in a real browser against the reference server of
// every MCP feature (`@modelcontextprotocol/server-everything`, over
// stdio): resources read and subscribed, a prompt with completion, the
// server's elicitation and sampling requests answered in dialogs,
// progress and cancel, and the notifications view. Run by
// scripts/browser-tests.sh, which installs the server into .cache/browser.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { driver, openInspector, screenshot } from './support/inspector.mjs';

const EVERYTHING = path.join(process.env.BROWSER_CACHE, 'node_modules',
  '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

let session;
let page;
let tab;
let tool;
let result;

before(async () => {
  session = await openInspector(['--', process.execPath, EVERYTHING, 'stdio']);
  page = session.page;
  ({ tab, tool, result } = driver(page));
  // The server lists the client's roots once it is connected: the person
  // is asked, and sends none (none are on offer yet).
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /Roots request/ }).waitFor();
  await dialog.getByRole('button', { name: 'Send roots' }).click();
  await dialog.waitFor({ state: 'hidden' });
});

after(async () => {
  await session?.close();
});

test('a resource is read with a preview, subscribed, and its updates arrive', async () => {
  await tab('Resources');
  await page.locator('body[data-resources-ready]').waitFor();
  await page.getByRole('list', { name: 'Resources' }).getByRole('button', { name: /features\.md/ }).click();
  const contents = page.getByRole('region', { name: 'Contents' });
  await contents.locator('pre.text').waitFor();
  assert.match(await contents.locator('.block-kind').first().textContent(), /text\/markdown/);
  const firstRead = Number(await contents.getAttribute('data-read-at'));

  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('button', { name: 'Unsubscribe' }).waitFor();
  // The server sends updates of subscribed resources every 5 s once asked to.
  await tool('toggle-subscriber-updates');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().locator('pre.text').waitFor();
  await tab('Resources');
  await page.getByText(/^updated at /).waitFor({ timeout: 15000 });
  await page.waitForFunction((t) => Number(document.querySelector('[aria-label="Contents"]')?.dataset.readAt) > t, firstRead);
  // Off again, so later tests are not disturbed.
  await tool('toggle-subscriber-updates');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().locator('pre.text').waitFor();
});

test('a template is read from its variables', async () => {
  await tab('Resources');
  await page.getByRole('list', { name: 'Resource templates' }).getByRole('button').first().click();
  const field = page.locator('form[aria-label^="Variables of"] input').first();
  await field.fill('3');
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  await page.getByRole('region', { name: 'Contents' }).locator('.block-kind').waitFor();
  assert.match(await page.locator('#view-resources h3 code').textContent(), /3/);
});

test('a prompt gets its arguments completed and renders its messages', async () => {
  await tab('Prompts');
  await page.getByRole('button', { name: 'Team Management' }).click();
  const dept = page.getByLabel('department', { exact: true });
  await dept.fill('Eng');
  await page.waitForFunction(() => document.getElementById('parg-department').dataset.completions === 'Engineering');
  await dept.fill('Engineering');
  // The second argument's completions depend on the first.
  await page.getByLabel('name', { exact: true }).fill('');
  await page.getByLabel('name', { exact: true }).focus();
  await page.waitForFunction(() => document.getElementById('parg-name').dataset.completions === 'Alice\nBob\nCharlie');
  await page.getByLabel('name', { exact: true }).fill('Bob');
  await page.getByRole('button', { name: 'Get prompt' }).click();
  const messages = page.getByRole('list', { name: 'Messages' });
  await messages.getByText('Please promote Bob to the head of the Engineering team.').waitFor();
});

test('an elicitation from the server is answered in a dialog', async () => {
  await tool('trigger-elicitation-request');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /Elicitation request/ }).waitFor();
  await dialog.getByLabel('name', { exact: true }).fill('Ada Lovelace');
  await screenshot(page, 'elicitation');
  await dialog.getByRole('button', { name: 'Accept' }).click();
  await result().getByText('- Name: Ada Lovelace').waitFor();
  assert.equal(await dialog.isVisible(), false);

  // Declined, the server hears so.
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await dialog.getByRole('button', { name: 'Decline' }).click();
  await result().getByText(/User declined/).waitFor();
});

test('a sampling request is answered by the person as the model', async () => {
  await tool('trigger-sampling-request');
  await page.getByLabel('prompt', { exact: true }).fill('What is 6 x 7?');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /Sampling request/ }).waitFor();
  assert.match(await dialog.getByRole('list', { name: 'Messages' }).textContent(), /What is 6 x 7\?/);
  await dialog.getByLabel('Reply').fill('Forty-two.');
  await screenshot(page, 'sampling');
  await dialog.getByRole('button', { name: 'Send reply' }).click();
  await result().getByText(/Forty-two\./).waitFor();

  // Rejected, the tool gets an error.
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await result().locator('.error, pre.text').first().waitFor();
  assert.match(await result().textContent(), /rejected/);
});

test('a long operation shows its progress and is cancelled', async () => {
  await tool('trigger-long-running-operation');
  await page.getByLabel('duration', { exact: true }).fill('1');
  await page.getByLabel('steps', { exact: true }).fill('4');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().getByText(/Long running operation .*completed/i).waitFor();
  // Progress arrived while it ran: the bar ended full.
  assert.equal(await page.locator('#call-progress').evaluate((b) => `${b.value}/${b.max}`), '4/4');

  await page.getByLabel('duration', { exact: true }).fill('30');
  await page.getByLabel('steps', { exact: true }).fill('30');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.locator('#call-progress:not([hidden])').waitFor();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await result().getByText('request cancelled').waitFor();
  // The server was told.
  await tab('Protocol');
  await page.getByRole('list', { name: 'Messages' }).getByText('notifications/cancelled').first().waitFor();
});

test('the server\'s log messages show, at the level asked for', async () => {
  await tab('Notifications');
  await page.getByLabel('Log level').selectOption('debug');
  await page.getByText(/the server sends debug and up|every request now asks for debug/).waitFor();
  await tool('toggle-simulated-logging');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().locator('pre.text').waitFor();
  await tab('Notifications');
  await page.getByRole('log', { name: 'Notifications' }).locator('.note', { hasText: 'notifications/message' })
    .or(page.getByRole('log', { name: 'Notifications' }).locator('.note[class*="level-"]')).first()
    .waitFor({ timeout: 15000 });
  await tool('toggle-simulated-logging');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
});

test('a URL elicitation shows the link and is accepted', async () => {
  await tool('trigger-url-elicitation');
  await page.getByLabel('url', { exact: true }).fill('http://127.0.0.1:9/consent');
  await page.getByLabel('message', { exact: true }).fill('Please open this page');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('link', { name: 'http://127.0.0.1:9/consent' }).waitFor();
  const opened = page.context().waitForEvent('page');
  await dialog.getByRole('button', { name: 'Open and accept' }).click();
  await (await opened).close();
  await result().getByText(/User completed the URL elicitation flow/).waitFor();
});

test('the roots the person sends are what the server lists', async () => {
  await tab('Notifications');
  await page.getByText('Roots', { exact: true }).click();
  await page.getByLabel(/^Roots: one per line/).fill('file:///tmp/mcpwire-project project\nfile:///tmp/other');
  await page.getByRole('button', { name: 'Offer roots' }).click();
  await page.getByText('2 roots offered').waitFor();
  // They changed: the server lists them again, and the person sees what
  // is on offer, and drops one before sending.
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /Roots request/ }).waitFor();
  const answer = dialog.getByLabel(/^Roots: one per line/);
  assert.equal(await answer.inputValue(), 'file:///tmp/mcpwire-project project\nfile:///tmp/other');
  await answer.fill('file:///tmp/mcpwire-project project');
  await dialog.getByRole('button', { name: 'Send roots' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await tool('get-roots-list');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().getByText(/file:\/\/\/tmp\/mcpwire-project/).waitFor();
  assert.doesNotMatch(await result().textContent(), /file:\/\/\/tmp\/other/);
});

test('a tool that must run as a task is followed in the Tasks view to its result', async () => {
  await tool('simulate-research-query');
  assert.equal(await page.getByLabel('Run as task').isChecked(), true);
  await page.getByLabel('topic', { exact: true }).fill('tide pools');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await result().getByText(/The server runs it as task/).waitFor();
  await result().getByRole('button', { name: 'Show in Tasks' }).click();
  const status = page.locator('#view-tasks .task-status');
  await status.waitFor();
  await page.waitForFunction(async () => {
    const el = document.querySelector('#view-tasks .task-status');
    if (el && el.dataset.status === 'completed') return true;
    [...document.querySelectorAll('#view-tasks button')].find((b) => b.textContent === 'Refresh' && b.closest('.tool'))?.click();
    await new Promise((r) => setTimeout(r, 300));
    return false;
  }, null, { timeout: 30000 });
  await page.locator('#view-tasks').getByRole('button', { name: 'Result' }).click();
  await page.locator('#view-tasks').getByText(/Research Report: tide pools/).waitFor();
});
