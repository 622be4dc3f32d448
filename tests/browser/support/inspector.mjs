// What the browser tests share: starting `mcpwire inspect`, and the
// browser (Debian's chromium through playwright-core).

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const require = createRequire(path.join(process.env.BROWSER_CACHE, 'package.json'));
const { chromium } = require('playwright-core');

export const BIN = process.env.MCPWIRE_BIN;

/** Where screenshots go: $SCREENSHOTS, or target/screenshots. */
export const SHOTS = process.env.SCREENSHOTS || path.join(path.dirname(BIN), '..', 'screenshots');

/** Saves a screenshot of `page` as SHOTS/NAME.png. */
export async function screenshot(page, name) {
  const fs = await import('node:fs');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Starts `mcpwire inspect --no-open --port 0 ARGS` and reads the URL off its first line. */
export function startInspector(args) {
  const t0 = performance.now();
  const proc = spawn(BIN, ['inspect', '--no-open', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s; stderr: ${stderr}`)), 20000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve({ proc, url: line.trim(), t0 });
    });
    proc.once('exit', (code) => reject(new Error(`inspect exited with ${code}: ${stderr}`)));
  });
}

/** Stops an inspector started by `startInspector`, and waits for it. */
export async function stopInspector(proc) {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
  }
}

/** Launches the headless browser. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
}

/**
 * The browser, `mcpwire inspect ARGS`, and a page open on it with the
 * server's tools shown: `{ browser, inspector, page, url }`. `close()` of
 * the result stops them.
 */
export async function openInspector(args) {
  const browser = await launchBrowser();
  const started = await startInspector(args);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(started.url);
  await page.locator('body[data-tools-ready]').waitFor();
  return {
    browser, inspector: started.proc, page, url: started.url,
    async close() { await browser.close(); await stopInspector(started.proc); },
  };
}

/** The page's helpers: switch tab, pick a tool by name. */
export function driver(page) {
  const tab = (name) => page.getByRole('tab', { name, exact: true }).click();
  return {
    tab,
    async tool(name) {
      await tab('Tools');
      await page.getByLabel('Filter tools').fill(name);
      await page.locator(`.vlist [role=option][data-name="${name}"]`).click();
    },
    result: () => page.getByRole('region', { name: 'Result' }),
  };
}
