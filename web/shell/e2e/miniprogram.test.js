// End-to-end test of the mini program container: a real `superapp serve
// --dev` with the fixture mini program (fixtures/hello-mp) published through
// `superapp mp publish`, driven through Debian's chromium. Run with
// web/shell/e2e/run.sh.
//
// The shell's half of the shell ↔ frame protocol (docs/miniprogram.md) is
// checked against a stub frame served in place of /mp/frame under the
// frame's real CSP, so every message the shell sends and answers is
// visible: load, calls, show/hide, the capsule, background survival, the
// recently used and starred lists, search, navigateToMiniProgram. The last
// test runs the real runtime when the server has it built in.
//
// Environment: see harness.js; SCREENSHOT_DIR (default
// /tmp/superapp-e2e-screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, startSuperapp } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'hello-mp');
const shots = process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-mp-'));
let app; // { base, bin, dataDir, stop }
let base;
let context;
let page;
const problems = [];
let hello; // the fixture's appid
let helloSecret;
let other; // a second mini program, for navigateToMiniProgram
let runtimeBuilt = false;

// A developer server for wx.request: records what reached it.
const received = [];
let devServer;
let devBase;

// A developer's WebSocket server (node's 'upgrade'): answers each text
// message with "echo: " and the text, and records the handshakes and the
// messages it saw.
const wsSeen = { handshakes: [], messages: [] };
let wsServer;
let wsURL;

/** One unmasked server frame. */
function wsFrame(op, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | op, n]) : Buffer.from([0x80 | op, 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, payload]);
}

function acceptEcho(req, socket) {
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  const proto = (req.headers['sec-websocket-protocol'] || '').split(',')[0].trim();
  wsSeen.handshakes.push({ url: req.url, headers: req.headers });
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nX-Echo: yes\r\n` +
      (proto ? `Sec-WebSocket-Protocol: ${proto}\r\n` : '') +
      '\r\n',
  );
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    // Client frames are masked; the test's messages are short and unfragmented.
    while (buf.length >= 2) {
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      }
      if (buf.length < at + 4 + len) return;
      const mask = buf.subarray(at, at + 4);
      const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buf = buf.subarray(at + 4 + len);
      if (op === 0x8) {
        socket.end(wsFrame(0x8, payload));
        return;
      }
      if (op === 0x1) {
        wsSeen.messages.push(payload.toString());
        socket.write(wsFrame(0x1, Buffer.concat([Buffer.from('echo: '), payload])));
      }
    }
  });
  socket.on('error', () => {});
}

let shotNo = 0;
async function shot(name) {
  const path = join(shots, `mp-${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path, fullPage: false });
}

function cli(...args) {
  return execFileSync(app.bin, [...args, '--server', base, '--data', app.dataDir], { encoding: 'utf8' });
}

// The frame's CSP exactly as internal/miniprogram/host sends it.
const frameCSP =
  "sandbox allow-scripts; default-src 'none'; script-src 'self' blob:; worker-src blob:; " +
  "style-src 'unsafe-inline' 'self'; img-src 'self' https: data: blob:; media-src 'self' https: blob:; " +
  "font-src 'self' data:; connect-src 'none'; frame-ancestors 'self'";

// The stub frame: speaks the frame's side of the protocol and records what
// the shell sends. Its script is a separate same-origin file, so running
// at all proves script-src 'self' holds for a sandboxed document; it starts
// a worker from a blob of the runtime text, as the real frame does.
const stubFrame = '<!doctype html><meta charset="utf-8"><body><p id="s">stub frame</p><script src="/mp/runtime/stub-frame.js"></script>';
const stubScript = `
window.__mp = { loads: [], shows: [], hides: [], packages: [], worker: null, pending: new Map(), next: 1 };
const mp = window.__mp;
addEventListener('message', (e) => {
  if (e.source !== parent) return;
  const m = e.data;
  if (m.t === 'load') {
    mp.loads.push(m);
    const w = new Worker(URL.createObjectURL(new Blob([m.runtime], { type: 'text/javascript' })));
    w.onmessage = (ev) => (mp.worker = ev.data);
    parent.postMessage({ t: 'state', title: 'Hello', navigationBarColor: { frontColor: '#000000', backgroundColor: '#ffffff' } }, '*');
    parent.postMessage({ t: 'launched', path: m.launch.path }, '*');
  } else if (m.t === 'show') mp.shows.push(m);
  else if (m.t === 'hide') mp.hides.push(m);
  else if (m.t === 'package') mp.packages.push(m);
  else if (m.t === 'result') { const r = mp.pending.get(m.id); mp.pending.delete(m.id); r && r(m); }
});
window.__call = (name, args) => new Promise((resolve) => {
  const id = mp.next++;
  mp.pending.set(id, resolve);
  parent.postMessage({ t: 'call', id, name, args }, '*');
});
parent.postMessage({ t: 'ready' }, '*');
`;
const stubLogic = 'postMessage("logic worker running");';

async function stubRuntime() {
  await context.route(/\/mp\/frame(\?|$)/, (route) =>
    route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': frameCSP }, body: stubFrame }),
  );
  await context.route(/\/mp\/runtime\/stub-frame\.js$/, (route) =>
    route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: stubScript }),
  );
  await context.route(/\/mp\/runtime\/logic\.js/, (route) => route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: stubLogic }));
}

/** The mini program frame playwright can reach into (cross-origin is fine for it). */
async function mpFrame() {
  const el = page.locator('[data-testid=mp-frame]:visible');
  await el.waitFor();
  const f = await (await el.elementHandle()).contentFrame();
  await f.waitForFunction(() => window.__mp && window.__mp.loads.length > 0);
  return f;
}

async function openFromURL(path) {
  await page.goto(base + path);
  await page.getByTestId('mp-container').waitFor();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  devServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Set-Cookie', 'dev=1; Path=/');
      res.end(JSON.stringify({ hello: 'from the developer server', method: req.method }));
    });
  });
  await new Promise((r) => devServer.listen(0, '127.0.0.1', r));
  devBase = `http://127.0.0.1:${devServer.address().port}`;
  wsServer = createServer((req, res) => res.writeHead(426).end());
  wsServer.on('upgrade', (req, socket) => acceptEcho(req, socket));
  await new Promise((r) => wsServer.listen(0, '127.0.0.1', r));
  wsURL = `ws://127.0.0.1:${wsServer.address().port}/echo?room=1`;

  app = await startSuperapp(tmp);
  base = app.base;
  const created = (kind, name) => JSON.parse(cli('app', 'create', '--kind', kind, '--name', name));
  ({ appid: hello, secret: helloSecret } = created('miniprogram', 'Hello Mini'));
  other = created('miniprogram', 'Other Mini').appid;
  cli('mp', 'publish', '--appid', hello, fixture);
  cli('mp', 'publish', '--appid', other, fixture);
  runtimeBuilt = (await fetch(base + '/mp/frame')).status === 200;

  ({ context, page } = await openBrowser(tmp, problems));
  await page.clock.install();
  await page.goto(base + '/');
  // Dev mode's one-click test user.
  await page.evaluate(() => fetch('/shell/api/test-user', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }));
});

after(async () => {
  await context?.close();
  await app?.stop();
  devServer?.close();
  wsServer?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('opening a mini program loads the frame with its build, launch options and an empty storage', async () => {
  await stubRuntime();
  await openFromURL(`/miniprogram/${hello}?path=${encodeURIComponent('pages/index/index?id=7')}&query=${encodeURIComponent('a=1')}&scene=1011`);
  const f = await mpFrame();
  const load = await f.evaluate(() => window.__mp.loads[0]);
  assert.equal(load.manifest.appid, hello);
  assert.deepEqual(load.launch, { path: 'pages/index/index', query: { id: '7', a: '1' }, scene: 1011, referrerInfo: {} });
  assert.deepEqual(load.storage, {});
  assert.equal(load.assetBase, '/mp/pkg/');
  assert.equal(load.runtime, stubLogic);
  assert.deepEqual(Object.keys(load.packages), ['']);
  assert.match(load.packages[''].service, /pages\/index\/index/);
  assert.equal(typeof load.packages[''].styles, 'object');
  // The runtime text became a worker inside the sandbox (worker-src blob:).
  await f.waitForFunction(() => window.__mp.worker === 'logic worker running');
  // The frame is sandboxed to scripts only: an opaque origin.
  assert.equal(await page.locator('[data-testid=mp-frame]').getAttribute('sandbox'), 'allow-scripts');
  assert.equal(await f.evaluate(() => origin), 'null');
  await page.locator('[data-testid=mp-container][data-title="Hello"]').waitFor();
  await shot('stub-frame');
});

test('relayed calls: storage, the request proxy, login, unknown names', async () => {
  const f = await mpFrame();
  const call = (name, ...args) => f.evaluate(([n, a]) => window.__call(n, a), [name, args]);

  const set = await call('storage.set', 'greeting', { text: 'hi' });
  assert.deepEqual([set.t, set.ok], ['result', true]);
  assert.equal((await call('storage.set', 'gone', 1)).ok, true);
  assert.equal((await call('storage.remove', 'gone')).ok, true);

  const r = await call('request', { url: devBase + '/api?x=1', method: 'POST', data: { n: 1 }, header: { 'X-Token': 't1' } });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.statusCode, 200);
  assert.deepEqual(r.value.data, { hello: 'from the developer server', method: 'POST' });
  assert.deepEqual(r.value.cookies, ['dev=1; Path=/']);
  const seen = received.at(-1);
  assert.equal(seen.body, '{"n":1}');
  assert.equal(seen.headers['x-token'], 't1');
  assert.equal(seen.headers.cookie, undefined, 'the shell session cookie must never reach a developer server');

  const bad = await call('request', { url: 'ftp://example.com/' });
  assert.deepEqual([bad.ok, bad.error], [false, 'request:fail invalid url']);

  const login = await call('login', {});
  assert.equal(login.ok, true);
  assert.match(login.value.code, /^\S{16,}$/);
  // The developer's server exchanges the code as with WeChat.
  const q = new URLSearchParams({ appid: hello, secret: helloSecret, js_code: login.value.code, grant_type: 'authorization_code' });
  const session = await (await fetch(`${base}/sns/jscode2session?${q}`)).json();
  assert.ok(session.openid && session.session_key, JSON.stringify(session));
  assert.equal((await call('checkSession', {})).ok, true);

  const unknown = await call('fooBar', {});
  assert.deepEqual([unknown.ok, unknown.error], [false, 'fooBar:fail no such API in this shell']);

  // getUserProfile asks the user first.
  const asking = call('getUserProfile', { desc: 'to show your name' });
  await page.getByTestId('mp-ask-profile').waitFor();
  await shot('consent');
  await page.getByTestId('mp-deny').click();
  const denied = await asking;
  assert.deepEqual([denied.ok, denied.error], [false, 'getUserProfile:fail auth deny']);
  const allowing = call('getUserProfile', { desc: 'to show your name' });
  await page.getByTestId('mp-allow').click();
  const allowed = await allowing;
  assert.equal(allowed.ok, true);
  assert.match(allowed.value.userInfo.nickName, /^Test user/);
  assert.ok(allowed.value.encryptedData && allowed.value.signature, 'after sign-in the profile is sealed under the session key');
});

test('messages from anything but the frame the shell created are ignored', async () => {
  // The shell page itself posts a call: no frame answers, no sheet opens.
  await page.evaluate(() => postMessage({ t: 'call', id: 99, name: 'getUserProfile', args: [{}] }, '*'));
  const f = await mpFrame();
  // A round trip through the real frame proves the shell processed its queue.
  assert.equal((await f.evaluate(() => window.__call('storage.clear', []))).ok, true);
  assert.equal(await page.getByTestId('mp-ask-profile').count(), 0);
});

test('the capsule menu stars the mini program; close keeps it alive in the background', async () => {
  const f = await mpFrame();
  await f.evaluate(() => (window.__marker = 'same frame'));
  await page.getByTestId('mp-menu').click();
  await page.getByTestId('mp-menu-sheet').waitFor();
  await shot('capsule-menu');
  await page.getByTestId('mp-star').click();
  await page.getByTestId('mp-toast').waitFor();

  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  assert.equal(await f.evaluate(() => window.__mp.hides.length), 1);
  assert.equal(await page.locator('[data-testid=mp-frame]').count(), 1, 'the frame survives, hidden');
  assert.equal(await page.locator('[data-testid=mp-frame]:visible').count(), 0);
  // Recently used and starred lists.
  assert.equal(await page.locator(`[data-testid=mp-recent][data-appid="${hello}"]`).count(), 1);
  assert.equal(await page.locator(`[data-testid=mp-starred][data-appid="${hello}"]`).count(), 1);
  await shot('discover-lists');

  // Back within five minutes: the same frame, shown again (scene 1103: My Mini Programs).
  await page.locator(`[data-testid=mp-starred][data-appid="${hello}"]`).click();
  const again = await mpFrame();
  assert.equal(await again.evaluate(() => window.__marker), 'same frame');
  assert.deepEqual(await again.evaluate(() => window.__mp.shows.map((s) => s.scene)), [1103]);
  assert.equal(await again.evaluate(() => window.__mp.loads.length), 1);
});

test('after five minutes in the background the next open is a cold start, with storage back', async () => {
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await page.clock.fastForward('05:01');
  await page.waitForFunction(() => !document.querySelector('[data-testid=mp-frame]'));
  await page.locator(`[data-testid=mp-recent][data-appid="${hello}"]`).click();
  const f = await mpFrame();
  assert.equal(await f.evaluate(() => window.__marker), undefined);
  const load = await f.evaluate(() => window.__mp.loads[0]);
  assert.equal(load.launch.scene, 1001);
  assert.deepEqual(load.storage, {}, 'storage.clear emptied the namespace');
});

test('storage written by one run is the snapshot of the next', async () => {
  let f = await mpFrame();
  assert.equal((await f.evaluate(() => window.__call('storage.set', ['taps', 3]))).ok, true);
  await page.getByTestId('mp-menu').click();
  await page.getByTestId('mp-reenter').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=mp-frame]').length === 1);
  f = await mpFrame();
  assert.deepEqual((await f.evaluate(() => window.__mp.loads[0])).storage, { taps: 3 });
});

test('navigateToMiniProgram opens the other app with scene 1037 and the referrer; closing it returns with 1038', async () => {
  const f = await mpFrame();
  const opening = f.evaluate(([appId]) => window.__call('navigateToMiniProgram', [{ appId, path: 'pages/index/index', extraData: { from: 'hello' } }]), [other]);
  await page.getByTestId('mp-ask-open').waitFor();
  await page.getByTestId('mp-allow').click();
  assert.equal((await opening).ok, true);
  await page.locator(`[data-testid=mp-container][data-appid="${other}"]`).waitFor();
  const target = await mpFrame();
  const launch = (await target.evaluate(() => window.__mp.loads[0])).launch;
  assert.equal(launch.scene, 1037);
  assert.deepEqual(launch.referrerInfo, { appId: hello, extraData: { from: 'hello' } });

  await page.getByTestId('mp-close').click();
  await page.locator(`[data-testid=mp-container][data-appid="${hello}"]`).waitFor();
  const back = await mpFrame();
  const show = await back.evaluate(() => window.__mp.shows.at(-1));
  assert.equal(show.scene, 1038);
  assert.deepEqual(show.referrerInfo, { appId: other });
  await page.getByTestId('mp-close').click();
});

test('navigateBackMiniProgram returns to the opener with its extraData (scene 1038)', async () => {
  await openFromURL(`/miniprogram/${hello}`);
  const f = await mpFrame();
  const opening = f.evaluate(([appId]) => window.__call('navigateToMiniProgram', [{ appId, path: '', extraData: { step: 1 } }]), [other]);
  await page.getByTestId('mp-ask-open').waitFor();
  await page.getByTestId('mp-allow').click();
  assert.equal((await opening).ok, true);
  await page.locator(`[data-testid=mp-container][data-appid="${other}"]`).waitFor();
  const target = await mpFrame();
  const back = await target.evaluate(() => window.__call('exit', [{ reason: 'back', extraData: { paid: true } }]));
  assert.equal(back.ok, true, JSON.stringify(back));
  await page.locator(`[data-testid=mp-container][data-appid="${hello}"]`).waitFor();
  const opener = await mpFrame();
  await opener.waitForFunction(() => window.__mp.shows.length > 0);
  const show = await opener.evaluate(() => window.__mp.shows.at(-1));
  assert.equal(show.scene, 1038);
  assert.deepEqual(show.referrerInfo, { appId: other, extraData: { paid: true } });
  // Without an opener, "back" closes.
  await page.getByTestId('mp-close').click();
});

test('search finds mini programs by name and opens them with scene 1005', async () => {
  await page.goto(base + '/search');
  await page.fill('#search-q', 'other mini');
  await page.locator(`[data-testid=mp-search-result][data-appid="${other}"]`).click();
  await page.locator(`[data-testid=mp-container][data-appid="${other}"][data-scene="1005"]`).waitFor();
  await page.getByTestId('mp-close').click();
});

test('scanning a code that holds a /miniprogram/ address opens it with scene 1011 and the code\'s path', async () => {
  await page.goto(base + '/scan');
  await page.getByTestId('scan-page').waitFor();
  await page.fill('#scan-url', `${base}/miniprogram/${other}?path=${encodeURIComponent('pages/index/index?from=qr')}`);
  await page.locator('#scan-url').press('Enter');
  await page.locator(`[data-testid=mp-container][data-appid="${other}"][data-scene="1011"]`).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('path'), 'pages/index/index?from=qr');
  await page.getByTestId('mp-close').click();
});

test('a mini program without a build explains itself', async () => {
  const empty = JSON.parse(cli('app', 'create', '--kind', 'miniprogram', '--name', 'Empty Mini')).appid;
  await page.goto(`${base}/miniprogram?appid=${empty}&path=${encodeURIComponent('pages/a/b')}`);
  await page.getByTestId('miniprogram-page').waitFor();
  assert.match(await page.getByTestId('miniprogram-text').textContent(), /has not been published yet, so page pages\/a\/b cannot open/);
});

test('the real runtime renders the fixture and answers taps', { skip: false }, async (t) => {
  if (!runtimeBuilt) {
    t.skip('web/miniprogram/dist is not built into the server yet');
    return;
  }
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await page.goto(`${base}/miniprogram/${hello}?scene=1001`);
  const el = page.locator('[data-testid=mp-frame]:visible');
  await el.waitFor();
  const f = await (await el.elementHandle()).contentFrame();
  await f.getByText('Hello, mini program').waitFor();
  await f.locator('#tap').click();
  await f.getByText('Taps: 1').waitFor();
  await f.getByText('Scene: 1001').waitFor();
  await shot('real-runtime');
});

/** Opens the fixture's API page (pages/api/api) cold, in the real runtime. */
async function openAPIPage() {
  const path = 'pages/api/api?' + new URLSearchParams({ ws: wsURL });
  await page.goto(`${base}/miniprogram/${hello}?path=${encodeURIComponent(path)}`);
  const el = page.locator('[data-testid=mp-frame]:visible');
  await el.waitFor();
  const f = await (await el.elementHandle()).contentFrame();
  await f.locator('#socket').waitFor();
  return f;
}

test('wx.connectSocket: an echo round trip through the relay', async (t) => {
  if (!runtimeBuilt) return t.skip('web/miniprogram/dist is not built into the server yet');
  const f = await openAPIPage();
  await f.locator('#socket').click();
  await f.getByText('echo: echo: ping from the mini program').waitFor();
  await f.getByText('socket: closed 1000 done').waitFor();
  assert.deepEqual(wsSeen.messages, ['ping from the mini program']);
  const hs = wsSeen.handshakes.at(-1);
  assert.equal(hs.url, '/echo?room=1');
  assert.equal(hs.headers['sec-websocket-protocol'], 'echo');
  assert.equal(hs.headers.cookie, undefined, 'the shell session cookie must never reach a developer server');
  assert.match(hs.headers.referer, new RegExp(`^https://servicewechat\\.com/${hello}/`));
  // onOpen got the server's response headers (the relay's "open" message, not a message event).
  await f.getByText('opened: X-Echo=yes').waitFor();
  await shot('socket');
});

test('wx.authorize asks once; a refusal stands until openSetting changes it; answers persist', async (t) => {
  if (!runtimeBuilt) return t.skip('web/miniprogram/dist is not built into the server yet');
  let f = await openAPIPage();
  await f.locator('#auth-album').click();
  const sheet = page.getByTestId('mp-ask-scope');
  await sheet.waitFor();
  assert.equal(await sheet.getAttribute('data-scope'), 'scope.writePhotosAlbum');
  await shot('authorize');
  await page.getByTestId('mp-deny').click();
  await f.getByText(/^auth: 1 scope\.writePhotosAlbum authorize:fail .*auth deny/).waitFor();
  // Asked again: refused at once, no sheet.
  await f.locator('#auth-album').click();
  await f.getByText(/^auth: 2 scope\.writePhotosAlbum authorize:fail .*auth deny/).waitFor();
  assert.equal(await sheet.count(), 0);
  // Another scope, allowed.
  await f.locator('#auth-camera').click();
  await sheet.waitFor();
  await page.getByTestId('mp-allow').click();
  await f.getByText('auth: 3 scope.camera allowed').waitFor();
  // The settings sheet lists both; turning the album on grants it.
  await f.locator('#settings').click();
  await page.getByTestId('mp-settings').waitFor();
  const album = page.locator('[data-testid=mp-setting][data-scope="scope.writePhotosAlbum"]');
  assert.equal(await album.isChecked(), false);
  assert.equal(await page.locator('[data-testid=mp-setting][data-scope="scope.camera"]').isChecked(), true);
  await album.check();
  await shot('settings');
  await page.getByTestId('mp-settings-done').click();
  const setting = f.locator('#setting');
  await setting.filter({ hasText: 'writePhotosAlbum' }).waitFor();
  assert.deepEqual(JSON.parse((await setting.textContent()).replace(/^setting: /, '')), { 'scope.writePhotosAlbum': true, 'scope.camera': true });
  await f.locator('#auth-album').click();
  await f.getByText('auth: 4 scope.writePhotosAlbum allowed').waitFor();
  // A cold start reads the stored answers.
  f = await openAPIPage();
  await f.locator('#get-setting').click();
  await f.locator('#setting').filter({ hasText: 'camera' }).waitFor();
  assert.deepEqual(JSON.parse((await f.locator('#setting').textContent()).replace(/^setting: /, '')), { 'scope.writePhotosAlbum': true, 'scope.camera': true });
});

test('wx.scanCode reads a picked picture of a QR code without following it', async (t) => {
  if (!runtimeBuilt) return t.skip('web/miniprogram/dist is not built into the server yet');
  // An official account's QR code: scanning it in the shell would follow the account.
  const oa = JSON.parse(cli('app', 'create', '--kind', 'subscription', '--name', 'Scan Target'));
  const token = (await (await fetch(`${base}/cgi-bin/token?grant_type=client_credential&appid=${oa.appid}&secret=${oa.secret}`)).json()).access_token;
  assert.ok(token);
  const qr = await (
    await fetch(`${base}/cgi-bin/qrcode/create?access_token=${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 9 } } }),
    })
  ).json();
  assert.ok(qr.ticket && qr.url, JSON.stringify(qr));
  const code = join(tmp, 'mp-code.png');
  writeFileSync(code, Buffer.from(await (await fetch(`${base}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`)).arrayBuffer()));
  const blank = join(tmp, 'mp-blank.png');
  writeFileSync(blank, await page.screenshot({ clip: { x: 0, y: 300, width: 120, height: 120 } }));

  const f = await openAPIPage();
  // A picture without a code says so and lets the user try again; cancel fails the call.
  await f.locator('#scan').click();
  await page.getByTestId('mp-scan').waitFor();
  await page.setInputFiles('[data-testid=mp-scan-file]', blank);
  await page.getByTestId('mp-scan-note').waitFor();
  await page.getByTestId('mp-scan-cancel').click();
  await f.getByText('scan: scanCode:fail cancel').waitFor();

  await f.locator('#scan').click();
  await page.getByTestId('mp-scan').waitFor();
  await shot('scan');
  await page.setInputFiles('[data-testid=mp-scan-file]', code);
  await f.getByText(`scan: ${qr.url} | QR_CODE | UTF-8 |`).waitFor();
  assert.equal(await page.getByTestId('mp-scan').count(), 0);
  const chats = await page.evaluate(() => fetch('/shell/api/chats').then((r) => r.json()));
  assert.ok(!chats.chats.some((c) => c.appid === oa.appid), 'scanning in a mini program must not follow the account');
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
