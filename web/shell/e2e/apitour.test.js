// The API tour (testdata/miniprograms/apitour) end to end: a real server,
// the real runtime, the shell, and a developer server started here for
// wx.request and wx.connectSocket. Each test taps #b-<key> and reads
// #r-<key> ("ok: <value>" or "fail: <errMsg>"), and checks the other side
// of the call where there is one (the developer server, the platform's
// /sns/jscode2session, the shell's sheets, the browser's clipboard).
//
// Environment: see harness.js; SCREENSHOT_DIR (default
// /tmp/superapp-e2e-screenshots) — the tour page also goes to
// docs/screenshots/mp-apitour.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptEchoWebSocket, docScreenshot, openBrowser, signInTestUser, startSuperapp } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fixtures = join(repo, 'testdata', 'miniprograms');
const shots = process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';
const image = join(fixtures, 'apitour', 'images', 'sample.png');

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-tour-'));
let app; // { base, bin, dataDir, stop }
let base;
let context;
let page;
const problems = [];
let tour; // the tour's appid
let tourSecret;
let todo; // navigateToMiniProgram's target
const SCENE = 1011;

// The developer server: records every HTTP request; /ws echoes WebSocket text frames.
const received = [];
const socketSeen = { handshakes: [], messages: [] };
let devServer;
let devBase;

const cli = (...args) => app.cli(...args);

/** The visible mini program frame, as a locator root (shadow roots pierce). */
const frame = () => page.frameLocator('[data-testid=mp-frame]:visible');

/**
 * Taps #b-<key> and returns #r-<key> once it holds a new result ("ok: …"
 * or "fail: …" other than what it showed before the tap: a second run must
 * give a different answer to be told apart).
 */
async function run(key, during, beforeTap) {
  const f = frame();
  const r = f.locator(`#r-${key}`);
  const previous = (await r.textContent()).trim();
  await f.locator(`#b-${key}`).scrollIntoViewIfNeeded();
  const early = beforeTap?.();
  await f.locator(`#b-${key}`).click();
  if (during) await during(f, await early);
  await r.filter({ hasText: /^(ok|fail): / }).filter({ hasNotText: previous }).waitFor();
  return (await r.textContent()).trim();
}

/** The JSON after "ok: ". */
function okJSON(text) {
  assert.match(text, /^ok: /);
  return JSON.parse(text.slice(4));
}

async function openTour() {
  const query = new URLSearchParams({ api: devBase, target: todo }).toString();
  await page.goto(`${base}/miniprogram/${tour}?scene=${SCENE}&query=${encodeURIComponent(query)}`);
  await frame().locator('#b-storageSync').waitFor();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  devServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null, method: req.method, path: req.url }));
    });
  });
  devServer.on('upgrade', (req, socket) => (req.url === '/ws' ? acceptEchoWebSocket(req, socket, socketSeen) : socket.destroy()));
  await new Promise((r) => devServer.listen(0, '127.0.0.1', r));
  devBase = `http://127.0.0.1:${devServer.address().port}`;

  app = await startSuperapp(tmp);
  base = app.base;
  ({ appid: tour, secret: tourSecret } = JSON.parse(cli('app', 'create', '--kind', 'miniprogram', '--name', 'API Tour')));
  todo = JSON.parse(cli('app', 'create', '--kind', 'miniprogram', '--name', 'Todo')).appid;
  cli('mp', 'publish', '--appid', tour, join(fixtures, 'apitour'));
  cli('mp', 'publish', '--appid', todo, join(fixtures, 'todo'));
  // Dev mode lifts the server-domain list (http and private addresses
  // allowed, as DevTools' "do not verify domain names"); the list itself only
  // takes https/wss names, so the tour runs against the dev-mode rule.

  ({ context, page } = await openBrowser(tmp, problems));
  await context.grantPermissions(['geolocation', 'clipboard-read', 'clipboard-write'], { origin: base });
  await context.setGeolocation({ latitude: 31.2304, longitude: 121.4737, accuracy: 20 });
  await signInTestUser(page, base);
  await openTour();
});

after(async () => {
  await context?.close();
  await app?.stop();
  devServer?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('storage: sync, async and info', async () => {
  assert.deepEqual(okJSON(await run('storageSync')), { n: 1, s: '中文' });
  assert.deepEqual(okJSON(await run('storageAsync')), { data: [1, 2, 3], afterRemove: '' });
  const info = okJSON(await run('storageInfo'));
  assert.deepEqual(info.keys, ['tour']);
  assert.equal(info.sameKeys, true);
  assert.equal(info.limitSize, 10240);
});

test('system and window info', async () => {
  const sys = okJSON(await run('systemInfo'));
  assert.equal(sys.windowWidth, 390);
  assert.ok(sys.windowHeight > 300 && sys.windowHeight <= 780, JSON.stringify(sys));
  assert.equal(sys.pixelRatio, 1);
  assert.match(sys.SDKVersion, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof sys.platform, 'string');
  assert.equal(typeof sys.language, 'string');
  const win = okJSON(await run('windowInfo'));
  assert.equal(win.windowWidth, 390);
  assert.equal(win.screenWidth, 390);
  assert.equal(win.pixelRatio, 1);
  assert.equal(typeof win.statusBarHeight, 'number');
});

test('launch and enter options carry the scene and query of the URL', async () => {
  const launch = okJSON(await run('launchOptions'));
  assert.equal(launch.path, 'pages/index/index');
  assert.equal(launch.scene, SCENE);
  assert.deepEqual(launch.query, { api: devBase, target: todo });
  const enter = okJSON(await run('enterOptions'));
  assert.deepEqual(enter, { path: 'pages/index/index', scene: SCENE });
});

test('onAppHide/onAppShow count leaving the mini program and coming back', async () => {
  const f = frame();
  const shows = Number(await f.locator('#app-show-count').textContent());
  const hides = Number(await f.locator('#app-hide-count').textContent());
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await page.locator(`[data-testid=mp-recent][data-appid="${tour}"]`).click();
  await f.locator('#app-hide-count', { hasText: String(hides + 1) }).waitFor();
  await f.locator('#app-show-count', { hasText: String(shows + 1) }).waitFor();
  assert.deepEqual(okJSON(await run('appShowHide')), { shows: shows + 1, hides: hides + 1 });
});

test('login gives a code the developer server exchanges for an openid; checkSession', async () => {
  const text = await run('login');
  assert.match(text, /^ok: \S{16,}$/);
  const code = text.slice(4);
  const q = new URLSearchParams({ appid: tour, secret: tourSecret, js_code: code, grant_type: 'authorization_code' });
  const session = await (await fetch(`${base}/sns/jscode2session?${q}`)).json();
  assert.ok(session.openid && session.session_key, JSON.stringify(session));
  assert.equal(await run('checkSession'), 'ok: checkSession:ok');
});

test('getUserProfile asks in the shell; the answer carries the nickname', async () => {
  const text = await run('getUserProfile', async () => {
    await page.getByTestId('mp-ask-profile').waitFor();
    await page.getByTestId('mp-allow').click();
  });
  const profile = okJSON(text);
  assert.match(profile.nickName, /^Test user/);
  assert.equal(typeof profile.hasAvatar, 'boolean');
});

/** The shell's permission sheet for a scope: allow. */
async function allowScope(scope) {
  const sheet = page.locator(`[data-testid=mp-ask-scope][data-scope="${scope}"]`);
  await sheet.waitFor();
  await sheet.getByTestId('mp-allow').click();
}

test('getSetting, authorize (asks in the shell), getLocation at the browser position, openSetting', async () => {
  // getUserProfile above may have granted scope.userInfo; location is not granted yet.
  assert.equal(okJSON(await run('getSetting'))['scope.userLocation'], undefined);
  assert.equal(await run('authorize', () => allowScope('scope.userLocation')), 'ok: authorize:ok');
  assert.equal(okJSON(await run('getSetting'))['scope.userLocation'], true);
  // type gcj02: the browser's WGS-84 position (Shanghai) shifted by China's
  // GCJ-02 offset, a few hundred metres.
  const loc = okJSON(await run('getLocation'));
  const [dLat, dLon] = [loc.latitude - 31.2304, loc.longitude - 121.4737];
  assert.ok(Math.abs(dLat) < 0.01 && Math.abs(dLon) < 0.01, JSON.stringify(loc));
  assert.ok(Math.abs(dLat) > 1e-4 || Math.abs(dLon) > 1e-4, 'the GCJ-02 offset was applied: ' + JSON.stringify(loc));
  // Granted already: getLocation asked nothing.
  assert.equal(await page.getByTestId('mp-ask-scope').count(), 0);
  // openSetting shows the shell's settings page with the grant; done returns it.
  const settings = await run('openSetting', async () => {
    await page.getByTestId('mp-settings').waitFor();
    assert.ok((await page.getByTestId('mp-setting').count()) >= 1);
    await page.getByTestId('mp-settings-done').click();
  });
  assert.equal(okJSON(settings)['scope.userLocation'], true);
});

test('chooseImage and chooseMedia open the file chooser; previewImage shows the image full screen', async () => {
  // The chooser is caught only if waited for before the tap.
  let chooser;
  const text = await run(
    'chooseImage',
    async () => (await chooser).setFiles(image),
    () => void (chooser = page.waitForEvent('filechooser')),
  );
  assert.deepEqual(okJSON(text), { count: 1 });
  let media;
  const mediaText = await run(
    'chooseMedia',
    async () => (await media).setFiles(image),
    () => void (media = page.waitForEvent('filechooser')),
  );
  assert.deepEqual(okJSON(mediaText), { type: 'image', count: 1 });
  const shown = await run('previewImage', async (f) => {
    await f.locator('.mp-preview img').waitFor();
  });
  assert.equal(shown, 'ok: previewImage:ok');
  await frame().locator('.mp-preview').click();
  await frame().locator('.mp-preview').waitFor({ state: 'detached' });
});

test('scanCode opens the shell scanner; a picture without a code is refused; cancel fails clearly', async () => {
  const text = await run('scanCode', async () => {
    const scanner = page.getByTestId('mp-scan');
    await scanner.waitFor();
    // Not from the camera only: a picture may be chosen. The sample has no code.
    await page.getByTestId('mp-scan-file').setInputFiles(image);
    await page.getByTestId('mp-scan-note').waitFor();
    await page.getByTestId('mp-scan-cancel').click();
  });
  assert.equal(text, 'fail: scanCode:fail cancel');
});

test('the clipboard round-trips through the shell', async () => {
  assert.equal(await run('clipboard'), 'ok: superapp-clipboard');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'superapp-clipboard');
});

test('makePhoneCall asks in the shell', async () => {
  const text = await run('makePhoneCall', async () => {
    await page.getByTestId('mp-ask-phone').waitFor();
    assert.match(await page.getByTestId('mp-ask-phone').textContent(), /10086/);
    await page.getByTestId('mp-deny').click();
  });
  assert.equal(text, 'fail: makePhoneCall:fail cancel');
});

test('selector query, intersection observer, nextTick, canIUse', async () => {
  const rect = okJSON(await run('selectorQuery'));
  assert.equal(rect.id, 'target');
  assert.equal(rect.width, 156); // 300rpx at 390 px
  assert.equal(rect.height, 62); // 120rpx
  assert.deepEqual(rect.dataset, { role: 'target' });
  assert.equal(typeof rect.scrollTop, 'number');
  // #observed sits below a 1200rpx spacer: the observer reports once it is scrolled into view.
  const observing = run('intersectionObserver', async (f) => {
    await f.locator('#observed').scrollIntoViewIfNeeded();
  });
  assert.deepEqual(okJSON(await observing), { id: 'observed', visible: true });
  assert.equal(await run('nextTick'), 'ok: sync,tick');
  // Published with `mp publish`: the dev-mode build, a develop version without ext.json.
  const info = okJSON(await run('accountInfo'));
  assert.deepEqual([info.miniProgram.envVersion, info.miniProgram.version, info.ext], ['develop', '', {}]);
  assert.match(info.miniProgram.appId, /^wx[0-9a-f]{16}$/);
  assert.deepEqual(okJSON(await run('canIUse')), {
    getSystemInfoSync: true,
    'button.open-type.share': true,
    'picker-view-column': true,
    'getSystemInfoSync.return.windowWidth': true,
    noSuchApi: false,
  });
});

test('createAnimation animates #anim in 2 steps; pageScrollTo reaches #target', async () => {
  assert.deepEqual(okJSON(await run('createAnimation')), { steps: 2 });
  const anim = frame().locator('#anim');
  await anim.evaluate((el) => new Promise((r) => (getComputedStyle(el).opacity === '0.5' ? r() : el.addEventListener('transitionend', function done() { if (getComputedStyle(el).opacity === '0.5') { el.removeEventListener('transitionend', done); r(); } }))));
  assert.match(await anim.evaluate((el) => getComputedStyle(el).transform), /^matrix\(/);
  assert.equal(await run('pageScrollTo'), 'ok: pageScrollTo:ok');
  const top = await frame().locator('#target').evaluate((el) => Math.round(el.getBoundingClientRect().top));
  assert.ok(top >= 0 && top < 120, `#target is at the top of the page view (${top})`);
});

test('toast, modal, loading and action sheet show in the frame', async () => {
  const toast = await run('showToast', async (f) => {
    await f.getByText('成功', { exact: true }).waitFor();
  });
  assert.equal(toast, 'ok: showToast:ok');
  const modal = await run('showModal', async (f) => {
    const m = f.locator('.mp-modal');
    await m.getByText('这是一个模态弹窗').waitFor();
    await m.getByText('确定').click();
  });
  assert.deepEqual(okJSON(modal), { confirm: true, cancel: false });
  const loading = await run('showLoading', async (f) => {
    await f.getByText('加载中', { exact: true }).waitFor();
  });
  assert.equal(loading, 'ok: hideLoading:ok');
  const sheet = await run('showActionSheet', async (f) => {
    await f.locator('.mp-sheet').getByText('从相册选择').click();
  });
  assert.deepEqual(okJSON(sheet), { tapIndex: 1 });
});

test('request reaches the developer server through the proxy, without the shell cookie', async () => {
  const before = received.length;
  const res = okJSON(await run('request'));
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.data, { echo: { hello: '世界' }, method: 'POST', path: '/echo?from=apitour' });
  const seen = received.slice(before);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, 'POST');
  assert.equal(seen[0].url, '/echo?from=apitour');
  assert.equal(seen[0].body, '{"hello":"世界"}');
  assert.match(seen[0].headers['content-type'], /^application\/json/);
  assert.equal(seen[0].headers.cookie, undefined, 'the shell session cookie must never reach a developer server');
});

test('connectSocket echoes through the shell relay', async () => {
  assert.deepEqual(okJSON(await run('connectSocket')), { echoed: 'ping' });
  assert.deepEqual(socketSeen.messages, ['ping'], 'the developer server got the message');
});

test('subscribe messages and payment fail with their errMsg; wx.cloud is absent', async () => {
  assert.match(await run('requestSubscribeMessage'), /^fail: requestSubscribeMessage:fail \S/);
  assert.match(await run('requestPayment'), /^fail: requestPayment:fail \S/);
  assert.equal(await run('cloud'), 'ok: absent');
  await frame().locator('#b-storageSync').scrollIntoViewIfNeeded();
  await page.screenshot({ path: docScreenshot('mp-apitour.png') });
  await page.screenshot({ path: join(shots, 'tour-01-results.png') });
});

test('navigateToMiniProgram asks, then opens the target with the referrer', async () => {
  const f = frame();
  await f.locator('#b-navigateToMiniProgram').click();
  await page.getByTestId('mp-ask-open').waitFor();
  await page.getByTestId('mp-allow').click();
  await page.locator(`[data-testid=mp-container][data-appid="${todo}"]`).waitFor();
  await frame().locator('#new-todo').waitFor();
  await page.getByTestId('mp-close').click();
  await page.locator(`[data-testid=mp-container][data-appid="${tour}"]`).waitFor();
  await frame().locator('#r-navigateToMiniProgram', { hasText: 'ok: navigateToMiniProgram:ok' }).waitFor();
});

test('no console errors or page errors', () => {
  assert.deepEqual(problems, []);
});
