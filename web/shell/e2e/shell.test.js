// End-to-end test of the shell: a real `superapp dev` server, driven through
// Debian's chromium by playwright-core. Run with web/shell/e2e/run.sh.
//
// Environment: see harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, startSuperapp } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-'));
let app; // the superapp server: { base, bin, dataDir, stop }
let base; // http://127.0.0.1:PORT
let context;
let page;
const problems = []; // console errors, page errors, CSP violations

/** The superapp CLI against the running server; returns its parsed JSON output. */
function cli(...args) {
  return JSON.parse(app.cli(...args));
}

async function shot(name) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: false });
}

/** Exchanges an OAuth code the way an official account's server does. */
async function exchange(app, code) {
  const q = new URLSearchParams({ appid: app.appid, secret: app.secret, code, grant_type: 'authorization_code' });
  const r = await fetch(`${base}/sns/oauth2/access_token?${q}`);
  assert.equal(r.status, 200);
  return r.json();
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  app = await startSuperapp(tmp);
  base = app.base;
  ({ context, page } = await openBrowser(tmp, problems));
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const phone = '138' + String(Date.now()).slice(-8);
const password = 'correct horse battery';

test('register, sign out, sign in', async () => {
  await page.goto(base + '/');
  await page.getByTestId('signin-page').waitFor();
  await page.getByTestId('to-register').click();
  await page.getByTestId('register-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/register');
  await page.fill('#f-name', 'Alice');
  await page.fill('#f-phone', phone);
  await page.fill('#f-password', password);
  await shot('register');
  await page.getByTestId('submit').click();
  await page.getByTestId('chats-page').waitFor();
  await shot('chats');

  await page.getByTestId('tab-me').click();
  await page.getByTestId('me-page').waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Alice');
  assert.equal(await page.getByTestId('profile-phone').textContent(), 'Phone: ' + phone);
  assert.equal(await page.getByTestId('avatar-initial').textContent(), 'A');
  await shot('me');

  // The session survives a reload; the cookie is not readable from script.
  await page.reload();
  await page.getByTestId('me-page').waitFor();
  assert.equal(await page.evaluate(() => document.cookie), '');
  const cookie = (await context.cookies(base)).find((c) => c.name === 'superapp_session');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Lax' && cookie.path === '/');

  await page.getByTestId('signout').click();
  await page.getByTestId('signin-page').waitFor();

  // Registering the same phone again is refused with a clear message.
  await page.getByTestId('to-register').click();
  await page.fill('#f-name', 'Mallory');
  await page.fill('#f-phone', phone);
  await page.fill('#f-password', password);
  await page.getByTestId('submit').click();
  assert.match(await page.getByTestId('form-error').textContent(), /already registered/);
  await page.getByTestId('to-signin').click();

  // Wrong password, then the right one.
  await page.getByTestId('signin-page').waitFor();
  await page.fill('#f-phone', phone);
  await page.fill('#f-password', 'wrong password');
  await page.getByTestId('submit').click();
  assert.match(await page.getByTestId('form-error').textContent(), /phone number or password is wrong/);
  await shot('signin-error');
  await page.fill('#f-password', password);
  await page.getByTestId('submit').click();
  await page.getByTestId('chats-page').waitFor();
});

test('edit the profile name', async () => {
  await page.getByTestId('tab-me').click();
  await page.getByTestId('edit-name').click();
  await page.getByTestId('edit-name-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/me/name');
  await page.fill('#f-name', 'Alice Liddell');
  await page.getByTestId('save-name').click();
  await page.getByTestId('me-page').waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Alice Liddell');
  await page.reload();
  await page.getByTestId('me-page').waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Alice Liddell');

  // Discover is a placeholder for now, reachable from the tab bar.
  await page.getByTestId('tab-discover').click();
  await page.getByTestId('discover-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/discover');
});

test('dev mode one-click test user', async () => {
  await page.goto(base + '/me');
  await page.getByTestId('signout').click();
  await page.getByTestId('signin-page').waitFor();
  await page.getByTestId('test-user').click();
  await page.getByTestId('chats-page').waitFor();
  await page.getByTestId('tab-me').click();
  assert.match(await page.getByTestId('profile-name').textContent(), /^Test user /);
  assert.equal(await page.getByTestId('profile-phone').textContent(), 'Test user');
  await page.getByTestId('signout').click();
  await page.getByTestId('signin-page').waitFor();
});

test('web authorization: sign in, consent, code, snsapi_base', async () => {
  const app = cli('app', 'create', '--kind', 'service', '--name', 'Daily Paper');
  assert.match(app.appid, /^wx[0-9a-f]{16}$/);
  const redirect = base + '/healthz?x=1';
  const authorize = (scope) =>
    `${base}/connect/oauth2/authorize?appid=${app.appid}&redirect_uri=${encodeURIComponent(redirect)}` +
    `&response_type=code&scope=${scope}&state=abc#wechat_redirect`;

  // Signed out: sign in first, then the consent sheet.
  await page.goto(authorize('snsapi_userinfo'));
  await page.getByTestId('signin-page').waitFor();
  assert.match(await page.getByTestId('oauth-intro').textContent(), /Daily Paper/);
  await shot('oauth-signin');
  await page.fill('#f-phone', phone);
  await page.fill('#f-password', password);
  await page.getByTestId('submit').click();
  await page.getByTestId('consent').waitFor();
  assert.equal(await page.getByTestId('consent-text').textContent(), 'Daily Paper requests your nickname and avatar');
  await shot('consent');
  await Promise.all([page.waitForURL(/\/healthz\?/), page.getByTestId('allow').click()]);
  let landed = new URL(page.url());
  assert.equal(landed.origin + landed.pathname, base + '/healthz');
  assert.equal(landed.searchParams.get('x'), '1');
  assert.equal(landed.searchParams.get('state'), 'abc');
  const code = landed.searchParams.get('code');
  assert.ok(code, 'redirect carries a code: ' + page.url());

  const grant = await exchange(app, code);
  assert.equal(grant.errcode ?? 0, 0, JSON.stringify(grant));
  assert.match(grant.openid, /^o[A-Za-z0-9_-]{27}$/);
  assert.equal(grant.scope, 'snsapi_userinfo');
  const info = await (await fetch(`${base}/sns/userinfo?access_token=${grant.access_token}&openid=${grant.openid}&lang=zh_CN`)).json();
  assert.equal(info.nickname, 'Alice Liddell');

  // Deny: back with the state and no code.
  await page.goto(authorize('snsapi_userinfo'));
  await page.getByTestId('consent').waitFor();
  await Promise.all([page.waitForURL(/\/healthz\?/), page.getByTestId('deny').click()]);
  landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), 'abc');
  assert.equal(landed.searchParams.get('code'), null);

  // snsapi_base is silent for a signed-in user: straight back with a code.
  const resp = await page.goto(authorize('snsapi_base'));
  landed = new URL(page.url());
  assert.equal(landed.pathname, '/healthz');
  assert.equal(resp.request().redirectedFrom()?.url().split('?')[0], base + '/connect/oauth2/authorize');
  assert.equal(landed.searchParams.get('state'), 'abc');
  const base2 = await exchange(app, landed.searchParams.get('code'));
  assert.equal(base2.openid, grant.openid);
  assert.equal(base2.scope, 'snsapi_base');
});

test('web authorization errors show WeChat codes', async () => {
  await page.goto(`${base}/connect/oauth2/authorize?appid=wx0000000000000000&redirect_uri=${encodeURIComponent(base + '/')}&response_type=code&scope=snsapi_base&state=s#wechat_redirect`);
  await page.getByTestId('oauth-error').waitFor();
  assert.match(await page.getByTestId('oauth-errcode').textContent(), /10016/);
  await shot('oauth-error');
  const mp = cli('app', 'create', '--kind', 'service', '--name', 'Scoped');
  await page.goto(`${base}/connect/oauth2/authorize?appid=${mp.appid}&redirect_uri=${encodeURIComponent(base + '/')}&response_type=code&scope=snsapi_login&state=s`);
  assert.match(await page.getByTestId('oauth-errcode').textContent(), /10005/);
});

test('no script errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
