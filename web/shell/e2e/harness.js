// What every end-to-end test needs: a real superapp server on a free port
// and Debian's chromium through playwright-core, set up the same way.
//
// Environment: CHROMIUM (default /usr/bin/chromium), SUPERAPP_BIN (a
// prebuilt binary; default: go build ./cmd/superapp into the test's temp dir),
// SCREENSHOT_DIR and SUPERAPP_DOC_SCREENSHOTS=1 (see docScreenshot).
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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
 * The path to write a screenshot that docs/screenshots keeps a copy of:
 * there when SUPERAPP_DOC_SCREENSHOTS=1 (to refresh the committed copies),
 * else $SCREENSHOT_DIR (default /tmp/superapp-e2e-screenshots), so that a
 * test run leaves the tree as it was.
 */
export function docScreenshot(name) {
  const dir = process.env.SUPERAPP_DOC_SCREENSHOTS === '1' ? join(repo, 'docs', 'screenshots') : process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * A WeChat API call as a developer's server makes it: POST with a JSON
 * body when body is given, else GET; the JSON answer.
 */
export async function wechat(base, path, body) {
  const r = await fetch(base + path, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}

/**
 * Opens the shell at base in page and signs in a new dev-mode test user
 * (the server's one-click test user); returns it.
 */
export async function signInTestUser(page, base) {
  await page.goto(base + '/');
  return page.evaluate(() => fetch('/shell/api/test-user', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.json()));
}

/** An app's access_token (client_credential), as a developer's server gets it; throws without one. */
export async function accessToken(base, appid, secret) {
  const q = new URLSearchParams({ grant_type: 'client_credential', appid, secret });
  const m = await wechat(base, '/cgi-bin/token?' + q);
  if (!m.access_token) throw new Error('no access_token for ' + appid + ': ' + JSON.stringify(m));
  return m.access_token;
}

/**
 * Starts `superapp serve --dev` on a fresh data directory under tmp and
 * waits until it is healthy. Returns { base, bin, dataDir, cli, stop }:
 * cli(...args) runs an operator command against it and returns its stdout.
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
    cli: (...args) => execFileSync(bin, [...args, '--server', base, '--data', dataDir], { encoding: 'utf8' }),
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

/** One unmasked server WebSocket frame. */
function wsFrame(op, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | op, n]) : Buffer.from([0x80 | op, 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, payload]);
}

/**
 * A minimal RFC 6455 echo endpoint for an http server's 'upgrade' event:
 * answers the first offered subprotocol, records each handshake and text
 * message in seen ({handshakes, messages}) and echoes text back behind
 * prefix. Enough for short, unfragmented messages.
 */
export function acceptEchoWebSocket(req, socket, seen, prefix = '') {
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  const proto = (req.headers['sec-websocket-protocol'] || '').split(',')[0].trim();
  seen.handshakes.push({ url: req.url, headers: req.headers });
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nX-Echo: yes\r\n` +
      (proto ? `Sec-WebSocket-Protocol: ${proto}\r\n` : '') +
      '\r\n',
  );
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      }
      const maskLen = buf[1] & 0x80 ? 4 : 0;
      if (buf.length < at + maskLen + len) return;
      const payload = Buffer.from(buf.subarray(at + maskLen, at + maskLen + len));
      for (let i = 0; maskLen && i < payload.length; i++) payload[i] ^= buf[at + (i % 4)];
      buf = buf.subarray(at + maskLen + len);
      if (op === 0x8) {
        socket.end(wsFrame(0x8, payload));
        return;
      }
      if (op === 0x1) {
        seen.messages.push(payload.toString());
        socket.write(wsFrame(0x1, Buffer.concat([Buffer.from(prefix), payload])));
      }
    }
  });
  socket.on('error', () => {});
}

/**
 * Taps the apitour fixture's launchOptions button in the visible mini
 * program frame and returns what wx.getLaunchOptionsSync() answered.
 */
export async function tourLaunchOptions(page) {
  const f = page.frameLocator('[data-testid=mp-frame]:visible');
  const r = f.locator('#r-launchOptions');
  await f.locator('#b-launchOptions').scrollIntoViewIfNeeded();
  await f.locator('#b-launchOptions').click();
  await r.filter({ hasText: /^\s*ok: / }).waitFor();
  return JSON.parse((await r.textContent()).trim().slice(4));
}
