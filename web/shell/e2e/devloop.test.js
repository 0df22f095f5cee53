// End-to-end test of the developer loop: a real `superapp dev DIR` on a
// copy of the fixture mini program, driven through Debian's chromium. Saving
// the page's WXML shows the new text without a manual reload; a syntax
// error shows the overlay naming file:line:col over the running build, and
// the fix clears it. Run with web/shell/e2e/run.sh.
//
// Environment: see harness.js; SCREENSHOT_DIR (default
// /tmp/superapp-e2e-screenshots). The error overlay also goes to
// docs/screenshots/mp-dev-error.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docScreenshot, openBrowser } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const shots = process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-dev-'));
const project = join(tmp, 'hello-mp');
const wxml = join(project, 'pages', 'index', 'index.wxml');
let original;
let proc;
let out = '';
let link; // the printed URL
let context;
let page;
const problems = [];

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function until(what, cond) {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (proc.exitCode !== null) throw new Error(`superapp dev exited while waiting for ${what}:\n${out}`);
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The mini program's frame as it is now (a reload makes a new one). */
async function frame() {
  const el = page.locator('[data-testid=mp-frame]:visible');
  await el.waitFor();
  return (await el.elementHandle()).contentFrame();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  cpSync(join(here, 'fixtures', 'hello-mp'), project, { recursive: true });
  original = readFileSync(wxml, 'utf8');
  let bin = process.env.SUPERAPP_BIN;
  if (!bin) {
    bin = join(tmp, 'superapp');
    execFileSync('go', ['build', '-o', bin, './cmd/superapp'], { cwd: repo, stdio: 'inherit' });
  }
  const port = await freePort();
  proc = spawn(bin, ['dev', project, '--addr', `127.0.0.1:${port}`, '--data', join(tmp, 'data')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  await until('the first build', () => /watching /.test(out));
  link = out.match(/open +(http:\/\/\S+\/miniprogram\/wx[0-9a-f]{16})\n/)?.[1];
  assert.ok(link, out);
  assert.match(out, /built in \d+ ms \(main \d+ (B|KB), 1 package\)/);

  ({ context, page } = await openBrowser(tmp, problems));
  await page.goto(new URL(link).origin + '/');
  // Sign in with the credentials superapp dev printed.
  const [, phone, password] = out.match(/phone (\d+), password (\w+)/);
  const status = await page.evaluate(
    ([phone, password]) =>
      fetch('/shell/api/signin', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone, password }) }).then((r) => r.status),
    [phone, password],
  );
  assert.equal(status, 200);
});

after(async () => {
  await context?.close();
  if (proc && proc.exitCode === null) {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
  }
  rmSync(tmp, { recursive: true, force: true });
});

test('saving the WXML shows the new text without a manual reload', async () => {
  if ((await fetch(new URL(link).origin + '/mp/frame')).status !== 200) {
    assert.fail('web/miniprogram/dist is not built into the server');
  }
  await page.goto(link);
  let f = await frame();
  await f.getByText('Hello, mini program').waitFor();
  await f.locator('#tap').click();
  await f.getByText('Taps: 1').waitFor();
  // Marks this page load: a manual reload would lose it.
  await page.evaluate(() => (window.__sameLoad = true));

  writeFileSync(wxml, original.replace('Hello,', 'Edited on disk,'));
  await until('the rebuild', () => /rebuilt in \d+ ms/.test(out));
  await (await frame()).getByText('Edited on disk, mini program').waitFor();
  f = await frame();
  // A cold start on the same page: the data starts over.
  await f.getByText('Taps: 0').waitFor();
  assert.equal(await page.evaluate(() => window.__sameLoad), true);
  assert.equal(await page.locator('[data-testid=mp-dev-errors]').count(), 0);
});

test('a syntax error shows the overlay naming file:line:col over the running build; the fix clears it', async () => {
  writeFileSync(wxml, original.replace('Hello,', 'Edited on disk,').replace('<view id="count">', '<view id="count"'));
  const overlay = page.getByTestId('mp-dev-errors');
  await overlay.waitFor();
  const lines = await page.getByTestId('mp-dev-error').allTextContents();
  assert.ok(lines.length >= 1, 'at least one error');
  for (const l of lines) assert.match(l, /^pages\/index\/index\.wxml:\d+:\d+: \S/);
  assert.match(out, /build failed in \d+ ms/);
  assert.ok(out.includes(lines[0]), `the terminal shows the same error:\n${out}`);
  // The last good build keeps running beneath.
  await (await frame()).getByText('Edited on disk, mini program').waitFor();
  await page.screenshot({ path: docScreenshot('mp-dev-error.png') });
  await page.screenshot({ path: join(shots, 'dev-01-error-overlay.png') });

  writeFileSync(wxml, original.replace('Hello,', 'Fixed,'));
  await overlay.waitFor({ state: 'detached' });
  await (await frame()).getByText('Fixed, mini program').waitFor();
  assert.equal(await page.evaluate(() => window.__sameLoad), true);
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
