// What every end-to-end test needs: a real superapp server on a free port
// and Debian's chromium through playwright-core, set up the same way.
//
// Environment: CHROMIUM (default /usr/bin/chromium), SUPERAPP_BIN (a
// prebuilt binary; default: go build ./cmd/superapp into the test's temp dir).
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

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

/**
 * Starts `superapp serve --dev` on a fresh data directory under tmp and
 * waits until it is healthy. Returns { base, bin, dataDir, stop }.
 */
export async function startSuperapp(tmp) {
  let bin = process.env.SUPERAPP_BIN;
  if (!bin) {
    bin = join(tmp, 'superapp');
    execFileSync('go', ['build', '-o', bin, './cmd/superapp'], { cwd: repo, stdio: 'inherit' });
  }
  const dataDir = join(tmp, 'data');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const proc = spawn(bin, ['serve', '--dev', '--addr', `127.0.0.1:${port}`, '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(base + '/healthz');
      if (r.ok) break;
    } catch {}
    if (proc.exitCode !== null) throw new Error('superapp exited early:\n' + log);
    if (Date.now() > end) throw new Error('superapp did not become healthy:\n' + log);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    bin,
    dataDir,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
    },
  };
}

/**
 * Opens headless chromium with a phone-sized page. Console errors (other
 * than the 4xx answers the tests provoke on purpose), page errors and CSP
 * violations are pushed to problems. Returns { context, page }.
 */
export async function openBrowser(tmp, problems) {
  const context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 780 },
    deviceScaleFactor: 1,
    locale: 'en-US',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  return { context, page };
}
