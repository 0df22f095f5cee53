// Subscribe messages end to end (testdata/miniprograms/subscribe): the
// developer adds a template over the WeChat API, the user taps the fixture's
// button and accepts in the shell's sheet, the developer's server sends
// with the app's access token, the notification shows in the shell's
// service notifications and opens the page it names with scene 1014.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessToken, openBrowser, signInTestUser, startSuperapp, wechat as wechatAt } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(resolve(here, '../../..'), 'testdata', 'miniprograms', 'subscribe');
const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-subscribe-'));
const problems = [];
let app;
let base;
let context;
let page;
let appid;
let secret;
let token;
let tmplId;

const frame = () => page.frameLocator('[data-testid=mp-frame]:visible');

/** A WeChat API call as a developer's server makes it (harness.js). */
const wechat = (path, body) => wechatAt(base, path, body);

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  ({ appid, secret } = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'Express')));
  app.cli('mp', 'publish', '--appid', appid, fixture);
  token = await accessToken(base, appid, secret);
  const added = await wechat('/wxaapi/newtmpl/addtemplate?access_token=' + token, { tid: '1200', kidList: [1, 2, 3, 5], sceneDesc: '发货后通知' });
  assert.equal(added.errcode, 0, JSON.stringify(added));
  tmplId = added.priTmplId;
  ({ context, page } = await openBrowser(tmp, problems));
  await signInTestUser(page, base);
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('tap, accept, send, see it in service notifications, open the page with scene 1014', async () => {
  await page.goto(`${base}/miniprogram/${appid}?query=${encodeURIComponent('tmpl=' + tmplId)}`);
  const f = frame();
  await f.locator('#subscribe').waitFor();

  // The developer's server learns the user's OpenID from a wx.login code.
  await f.locator('#login').click();
  const code = (await f.locator('#code').filter({ hasText: /\S/ }).textContent()).trim();
  const session = await wechat(`/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`);
  assert.ok(session.openid, JSON.stringify(session));

  const send = (state) =>
    wechat('/cgi-bin/message/subscribe/send?access_token=' + token, {
      touser: session.openid, template_id: tmplId, page: 'pages/order/order?id=7', miniprogram_state: state, lang: 'zh_CN',
      data: { character_string1: { value: 'DD2019110400012' }, thing2: { value: '顺丰速运' }, character_string3: { value: 'SF1234567890' }, thing5: { value: '无线蓝牙耳机' } },
    });
  assert.equal((await send('formal')).errcode, 43101, 'a send before consent is refused');

  // Not from a tap (after an await): refused without a sheet.
  await f.locator('#subscribe-late').click();
  await f.locator('#result').filter({ hasText: 'fail: requestSubscribeMessage:fail can only be invoked by user TAP gesture.' }).waitFor();
  assert.equal(await page.locator('[data-testid=mp-subscribe]').count(), 0);

  await f.locator('#subscribe').click();
  const sheet = page.locator('[data-testid=mp-subscribe]');
  await sheet.waitFor();
  assert.equal(await sheet.locator('[data-testid=mp-subscribe-title]').textContent(), '订单发货通知');
  await sheet.locator('[data-testid=mp-allow]').click();
  const result = (await f.locator('#result').filter({ hasText: /^ok: / }).textContent()).trim();
  assert.deepEqual(JSON.parse(result.slice(4)), { errMsg: 'requestSubscribeMessage:ok', [tmplId]: 'accept' });

  const sent = await send('formal');
  assert.equal(sent.errcode, 0, JSON.stringify(sent));
  assert.equal((await send('formal')).errcode, 43101, 'one accept, one send');

  // Discover shows the unread count; the page lists the card.
  await page.goto(base + '/discover');
  await page.locator('[data-testid=notifications-unread]').filter({ hasText: '1' }).waitFor();
  await page.locator('[data-testid=discover-notifications]').click();
  const card = page.locator('[data-testid=notification]');
  await card.waitFor();
  assert.equal(await card.count(), 1);
  assert.equal(await card.locator('[data-testid=notification-title]').textContent(), '订单发货通知');
  const fields = await card.locator('[data-testid=notification-field]').allTextContents();
  assert.deepEqual(fields, ['订单号DD2019110400012', '快递公司顺丰速运', '快递单号SF1234567890', '商品名称无线蓝牙耳机']);
  assert.match(await card.textContent(), /Express/);

  await card.click();
  await page.waitForURL((u) => u.pathname === `/miniprogram/${appid}` && u.searchParams.get('scene') === '1014');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('path'), 'pages/order/order?id=7');
  assert.equal(url.searchParams.get('env_version'), 'release');
  await frame().locator('#order-id').filter({ hasText: '7' }).waitFor();
  assert.equal((await frame().locator('#order-scene').textContent()).trim(), '1014');

  // Read now: the count is gone.
  await page.goto(base + '/discover');
  await page.locator('[data-testid=discover-notifications]').waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-testid=notifications-unread]').count(), 0);
  assert.deepEqual(problems, []);
});
