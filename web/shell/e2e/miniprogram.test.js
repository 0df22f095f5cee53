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
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptEchoWebSocket, accessToken, openBrowser, startSuperapp } from './harness.js';

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
// Its /slow calls, which it never answers: how many came, how many were ended.
const slow = { started: 0, closed: 0 };
let devServer;
let devBase;

// A developer's WebSocket server (node's 'upgrade'): answers each text
// message with "echo: " and the text, and records the handshakes and the
// messages it saw.
const wsSeen = { handshakes: [], messages: [] };
let wsServer;
let wsURL;


let shotNo = 0;
async function shot(name) {
  const path = join(shots, `mp-${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path, fullPage: false });
}

const cli = (...args) => app.cli(...args);

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

/** Forgets the user's scope answers for appid (the authorize test below starts from none). */
async function forgetGrants(appid) {
  await page.evaluate((id) => {
    for (const k of Object.keys(localStorage)) if (k.startsWith('superapp.mp.scopes.') && k.endsWith('.' + id)) localStorage.removeItem(k);
  }, appid);
}

/** Goes to a shell path without reloading the page (running sessions and the spare survive). */
async function goInApp(path) {
  await page.evaluate((url) => {
    history.pushState(null, '', url);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

async function openFromURL(path) {
  await page.goto(base + path);
  await page.getByTestId('mp-container').waitFor();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  devServer = createServer((req, res) => {
    if (req.url.startsWith('/slow')) {
      // Never answers: only its end by the other side is recorded.
      slow.started++;
      res.on('close', () => slow.closed++);
      return;
    }
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
  wsServer.on('upgrade', (req, socket) => acceptEchoWebSocket(req, socket, wsSeen, 'echo: '));
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
  assert.deepEqual(load.storage, []);
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

test('network.abort (RequestTask.abort) ends a proxied call on the developer server too', async () => {
  const f = await mpFrame();
  const call = (name, ...args) => f.evaluate(([n, a]) => window.__call(n, a), [name, args]);
  const until = async (what, ok) => {
    for (let i = 0; !ok(); i++) {
      if (i > 200) throw new Error('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const before = { ...slow };
  const pending = call('request', { url: devBase + '/slow', task: 't-abort' });
  await until('the call to reach the developer server', () => slow.started > before.started);
  assert.equal(slow.closed, before.closed);
  // Another task's abort, or an unknown one, changes nothing.
  assert.equal((await call('network.abort', { task: 't-other' })).ok, true);
  assert.equal(slow.closed, before.closed);
  assert.equal((await call('network.abort', { task: 't-abort' })).ok, true);
  const r = await pending;
  assert.deepEqual([r.ok, r.error], [false, 'request:fail abort']);
  await until('the developer server to see its call ended', () => slow.closed > before.closed);
});

test('the shell enforces the storage limits itself: 1 MB an item, 10 MB an app, 1 KB keys, JSON values', async () => {
  const f = await mpFrame();
  const set = (key, chars) => f.evaluate(([k, n]) => window.__call('storage.set', [k, 'x'.repeat(n)]), [key, chars]);
  const item = await set('big', 1024 * 1024);
  assert.deepEqual([item.ok, item.error], [false, 'setStorage:fail exceed storage item max length']);
  const key = await set('k'.repeat(1025), 1);
  assert.deepEqual([key.ok, key.error], [false, 'setStorage:fail parameter error: the key is longer than 1 KB']);
  for (const value of ['blob', 'buffer', 'map']) {
    const r = await f.evaluate(
      (v) => window.__call('storage.set', ['bad', v === 'blob' ? new Blob(['x']) : v === 'buffer' ? new ArrayBuffer(8) : new Map([[1, 2]])]),
      value,
    );
    assert.deepEqual([r.ok, r.error], [false, 'setStorage:fail parameter error: data must be a string or JSON data'], value);
  }
  // Ten items of about 0.95 MB fit in 10 MB; the eleventh does not, until one goes.
  for (let i = 0; i < 10; i++) assert.equal((await set('part' + i, 1000 * 1000)).ok, true, 'part' + i);
  const over = await set('part10', 1000 * 1000);
  assert.deepEqual([over.ok, over.error], [false, 'setStorage:fail exceed storage max size 10Mb']);
  // Rewriting an item counts its new size only.
  assert.equal((await set('part3', 1000 * 1000)).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.remove', ['part0']))).ok, true);
  assert.equal((await set('part10', 1000 * 1000)).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.clear', []))).ok, true);
  assert.equal((await set('after-clear', 1000 * 1000)).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.clear', []))).ok, true);
});

test('saveImageToPhotosAlbum saves images only: magic bytes, its own extension, package files or data:image', async () => {
  const f = await mpFrame();
  const save = (o) => f.evaluate((x) => window.__call('saveImageToPhotosAlbum', [x]), o);
  const launch = await page.evaluate((appid) => fetch(`/shell/api/mp/${appid}/launch`).then((r) => r.json()), hello);
  const service = launch.manifest.packages[0].files['service.js'];
  for (const [o, error] of [
    [{ name: 'x.html', url: 'data:text/html,<script>alert(1)</script>' }, 'saveImageToPhotosAlbum:fail the file must be a local file of the mini program'],
    [{ name: 'x.png', url: 'data:image/png;base64,' + Buffer.from('<html>not a png</html>').toString('base64') }, 'saveImageToPhotosAlbum:fail invalid file type: only png, jpeg, gif and webp images can be saved'],
    [{ name: 'service.png', url: base + '/mp/pkg/' + service }, 'saveImageToPhotosAlbum:fail invalid file type: only png, jpeg, gif and webp images can be saved'],
    [{ name: 'me.png', url: base + '/shell/api/me' }, 'saveImageToPhotosAlbum:fail the file must be a local file of the mini program'],
    [{ name: 'far.png', url: 'https://example.com/a.png' }, 'saveImageToPhotosAlbum:fail the file must be a local file of the mini program'],
  ]) {
    const r = await save(o);
    assert.deepEqual([r.ok, r.error], [false, error], JSON.stringify(o).slice(0, 80));
  }
  // A real PNG (bytes the frame holds), named .html by the app: saved as .png after consent.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0b5b9d00000000049454e44ae426082', 'hex');
  const downloading = page.waitForEvent('download');
  const saving = f.evaluate((bytes) => window.__call('saveImageToPhotosAlbum', [{ name: 'evil.html', data: new Uint8Array(bytes).buffer }]), [...png]);
  await page.getByTestId('mp-ask-scope').waitFor();
  await page.getByTestId('mp-allow').click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'evil.png');
  assert.equal((await saving).ok, true);
  await forgetGrants(hello);
});

test('web-view\'s "Open in browser": http(s) only, after the user confirms, in a new tab', async () => {
  const f = await mpFrame();
  const open = (url) => f.evaluate((u) => window.__call('openLink', [{ url: u }]), url);
  const js = await open('javascript:alert(1)');
  assert.deepEqual([js.ok, js.error], [false, 'openLink:fail only http and https pages can be opened']);
  const denying = open(devBase + '/denied');
  await page.getByTestId('mp-ask-link').waitFor();
  assert.equal(await page.getByTestId('mp-link-url').textContent(), devBase + '/denied');
  await page.getByTestId('mp-deny').click();
  const denied = await denying;
  assert.deepEqual([denied.ok, denied.error], [false, 'openLink:fail cancel']);
  const popup = context.waitForEvent('page');
  const opening = open(devBase + '/opened');
  await page.getByTestId('mp-ask-link').waitFor();
  await page.getByTestId('mp-allow').click();
  const tab = await popup;
  await tab.waitForURL(devBase + '/opened');
  assert.equal(await tab.evaluate(() => window.opener), null, 'no link back to the shell');
  assert.equal((await opening).ok, true);
  await tab.close();
});

test('consent sheets of one session come one at a time; one answer serves every call for the scope', async () => {
  const f = await mpFrame();
  const authorize = (scope) => f.evaluate((s) => window.__call('auth.authorize', [{ scope: s }]), scope);
  const calls = [authorize('scope.werun'), authorize('scope.werun'), authorize('scope.record'), authorize('scope.werun')];
  const sheet = page.getByTestId('mp-ask-scope');
  await sheet.waitFor();
  await f.evaluate(() => window.__call('storage.clear', [])); // a round trip: every call reached the shell
  assert.equal(await sheet.count(), 1);
  assert.equal(await sheet.getAttribute('data-scope'), 'scope.werun');
  await page.getByTestId('mp-allow').click();
  await page.locator('[data-testid=mp-ask-scope][data-scope="scope.record"]').waitFor();
  assert.equal(await sheet.count(), 1);
  await page.getByTestId('mp-deny').click();
  const answers = (await Promise.all(calls)).map((r) => (r.ok ? 'ok' : r.error));
  assert.deepEqual(answers, ['ok', 'ok', 'authorize:fail auth deny', 'ok']);
  assert.equal(await sheet.count(), 0);
  await forgetGrants(hello);
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
  assert.deepEqual(load.storage, [], 'storage.clear emptied the namespace');
});

test('storage written by one run is the snapshot of the next, as [key, value] entries (a "__proto__" key too)', async () => {
  let f = await mpFrame();
  assert.equal((await f.evaluate(() => window.__call('storage.set', ['taps', 3]))).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.set', ['__proto__', { evil: true }]))).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.set', ['when', new Date(5)]))).ok, true);
  await page.getByTestId('mp-menu').click();
  await page.getByTestId('mp-reenter').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=mp-frame]').length === 1);
  f = await mpFrame();
  const storage = await f.evaluate(() => window.__mp.loads[0].storage.map(([k, v]) => [k, v instanceof Date ? 'Date ' + v.getTime() : JSON.stringify(v)]));
  assert.deepEqual(storage.sort(), [['__proto__', '{"evil":true}'], ['taps', '3'], ['when', 'Date 5']]);
  assert.equal((await f.evaluate(() => window.__call('storage.remove', ['__proto__']))).ok, true);
  assert.equal((await f.evaluate(() => window.__call('storage.remove', ['when']))).ok, true);
});

test('in the background: no clipboard and no location; the session\'s sheets close with fail cancel', async () => {
  const f = await mpFrame();
  const asking = f.evaluate(() => window.__call('getUserProfile', [{ desc: 'x' }]));
  await page.getByTestId('mp-ask-profile').waitFor();
  // A second sheet waits behind the first (one at a time).
  const calling = f.evaluate(() => window.__call('makePhoneCall', [{ phoneNumber: '10086' }]));
  await f.evaluate(() => window.__call('storage.set', ['sync', 1])); // a round trip: the call reached the shell
  assert.equal(await page.locator('[data-testid^=mp-ask-]').count(), 1);
  // The user leaves (the sheet is modal: through the browser, here the shell's router).
  await goInApp('/discover');
  await page.getByTestId('discover-page').waitFor();
  const [a, c] = await Promise.all([asking, calling]);
  assert.deepEqual([a.ok, a.error], [false, 'getUserProfile:fail cancel']);
  assert.deepEqual([c.ok, c.error], [false, 'makePhoneCall:fail cancel']);
  assert.equal(await page.locator('[data-testid^=mp-ask-], .mp-sheet-host').count(), 0, 'no sheet outlives its session\'s visibility');
  for (const [name, args] of [['setClipboardData', { data: 'secret' }], ['getClipboardData', {}], ['getLocation', {}]]) {
    const r = await f.evaluate(([n, a]) => window.__call(n, [a]), [name, args]);
    assert.deepEqual([r.ok, r.error], [false, `${name}:fail app is in background`]);
  }
  await openFromURL(`/miniprogram/${hello}`);
  await mpFrame();
});

test('navigateToMiniProgram opens the other app with scene 1037 and the referrer; closing it returns with 1038', async () => {
  const f = await mpFrame();
  // envVersion counts only from a develop or trial version: this app runs its dev-mode build.
  const opening = f.evaluate(([appId]) => window.__call('navigateToMiniProgram', [{ appId, path: 'pages/index/index', extraData: { from: 'hello' }, envVersion: 'trial' }]), [other]);
  await page.getByTestId('mp-ask-open').waitFor();
  await page.getByTestId('mp-allow').click();
  assert.equal((await opening).ok, true);
  await page.locator(`[data-testid=mp-container][data-appid="${other}"]`).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('env_version'), null, page.url());
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

test('opened again from another mini program while running: the show carries scene 1037 and its referrerInfo with extraData', async () => {
  await openFromURL(`/miniprogram/${other}`);
  const target = await mpFrame();
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await goInApp(`/miniprogram/${hello}`);
  await page.locator(`[data-testid=mp-container][data-appid="${hello}"]`).waitFor();
  const f = await mpFrame();
  const opening = f.evaluate(([appId]) => window.__call('navigateToMiniProgram', [{ appId, path: '', extraData: { again: 2 } }]), [other]);
  await page.getByTestId('mp-ask-open').waitFor();
  await page.getByTestId('mp-allow').click();
  assert.equal((await opening).ok, true);
  await page.locator(`[data-testid=mp-container][data-appid="${other}"]`).waitFor();
  await target.waitForFunction(() => window.__mp.shows.length > 0);
  const show = await target.evaluate(() => window.__mp.shows.at(-1));
  assert.equal(show.scene, 1037);
  assert.deepEqual(show.referrerInfo, { appId: hello, extraData: { again: 2 } });
  assert.equal(await target.evaluate(() => window.__mp.loads.length), 1, 'a warm start');
  await page.getByTestId('mp-close').click();
});

test('a spare frame claimed by one app is never handed to another', async () => {
  await page.goto(base + '/discover');
  await page.getByTestId('discover-page').waitFor();
  // The spare comes a moment after the page loads, once someone is signed in.
  await page.clock.runFor(3000);
  await page.waitForFunction(() => [...document.querySelectorAll('#mp-frames .mp-frame')].some((w) => !w.dataset.appid));
  const spare = await page.locator('#mp-frames .mp-frame:not([data-appid]) iframe').elementHandle();
  await goInApp(`/miniprogram/${hello}`);
  await page.locator(`[data-testid=mp-container][data-appid="${hello}"]`).waitFor();
  const a = await mpFrame();
  const aElement = await page.locator(`.mp-frame[data-appid="${hello}"] iframe`).elementHandle();
  assert.equal(await page.evaluate(([x, y]) => x === y, [spare, aElement]), true, 'A claimed the spare');
  // Its replacement is prepared a moment after the launch.
  await page.clock.runFor(1500);
  await page.waitForFunction(() => [...document.querySelectorAll('#mp-frames .mp-frame')].some((w) => !w.dataset.appid));
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await goInApp(`/miniprogram/${other}`);
  await page.locator(`[data-testid=mp-container][data-appid="${other}"]`).waitFor();
  const b = await mpFrame();
  const bElement = await page.locator(`.mp-frame[data-appid="${other}"] iframe`).elementHandle();
  assert.equal(await page.evaluate(([x, y]) => x === y, [aElement, bElement]), false, 'B has a frame of its own');
  assert.deepEqual(await a.evaluate(() => window.__mp.loads.map((l) => l.manifest.appid)), [hello], 'A\'s frame only ever got A');
  assert.deepEqual(await b.evaluate(() => window.__mp.loads.map((l) => l.manifest.appid)), [other]);
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
  const token = await accessToken(base, oa.appid, oa.secret);
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

  // A product's barcode (WeChat's default scanType has barCode): its digits and kind.
  const barcode = join(tmp, 'mp-ean13.png');
  writeFileSync(barcode, Buffer.from((await page.evaluate(ean13DataURL, '6901234567892')).split(',')[1], 'base64'));
  await f.locator('#scan').click();
  await page.getByTestId('mp-scan').waitFor();
  await page.setInputFiles('[data-testid=mp-scan-file]', barcode);
  await f.getByText('scan: 6901234567892 | EAN_13 | UTF-8 |').waitFor();
});

/** Draws an EAN-13 barcode of digits (13, check digit included) in the page, as a PNG data URL. */
function ean13DataURL(digits) {
  const L = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
  const R = L.map((c) => [...c].map((b) => (b === '0' ? '1' : '0')).join(''));
  const G = R.map((c) => [...c].reverse().join(''));
  const parity = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'][+digits[0]];
  let bits = '101';
  for (let i = 1; i <= 6; i++) bits += (parity[i - 1] === 'L' ? L : G)[+digits[i]];
  bits += '01010';
  for (let i = 7; i <= 12; i++) bits += R[+digits[i]];
  bits += '101';
  const module = 3;
  const canvas = document.createElement('canvas');
  canvas.width = bits.length * module + 80;
  canvas.height = 200;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000';
  [...bits].forEach((b, i) => b === '1' && g.fillRect(40 + i * module, 40, module, 120));
  return canvas.toDataURL('image/png');
}

test('the shell\'s file cache is bounded by bytes: least recently used out first, failures not kept', async () => {
  // src/miniprogram/filecache.ts has no imports: transpiled, it runs here.
  const ts = (await import('typescript')).default;
  const src = readFileSync(join(here, '../src/miniprogram/filecache.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const { FileCache } = await import('data:text/javascript,' + encodeURIComponent(js));
  const cache = new FileCache(10, (v) => v.length);
  const loaded = [];
  const get = (url, value) => cache.get(url, () => (loaded.push(url), Promise.resolve(value)));
  assert.equal(await get('a', 'aaaa'), 'aaaa');
  assert.equal(await get('b', 'bbbb'), 'bbbb');
  assert.equal(await get('a', 'other'), 'aaaa', 'a hit');
  assert.equal(cache.bytes, 8);
  // c makes 12 bytes: b, the least recently used, leaves.
  await get('c', 'cccc');
  assert.equal(cache.bytes, 8);
  await get('a', 'x');
  await get('c', 'x');
  assert.deepEqual(loaded, ['a', 'b', 'c']);
  assert.equal(await get('b', 'bbbb'), 'bbbb', 'b is loaded again');
  assert.deepEqual(loaded, ['a', 'b', 'c', 'b']);
  let tries = 0;
  const failing = () => cache.get('f', () => (tries++, Promise.reject(new Error('500'))));
  await assert.rejects(failing());
  await assert.rejects(failing());
  assert.equal(tries, 2, 'a failed load is tried again');
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
