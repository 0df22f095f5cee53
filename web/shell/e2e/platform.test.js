// The mini program platform end to end in the browser (issue 5): a
// developer uploads the subscribe fixture with its upload key, commits and
// submits it, the operator approves, the developer releases; a code made
// through WeChat's API is scanned on the shell's scan page and opens the
// released version; the user accepts a subscribe message there, the
// developer's server sends it, and it arrives in service notifications.
// Environment: see harness.js; SCREENSHOT_DIR (default
// /tmp/superapp-e2e-screenshots) gets the opened page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessToken, openBrowser, signInTestUser, startSuperapp, wechat as wechatAt } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(resolve(here, '../../..'), 'testdata', 'miniprograms', 'subscribe');
const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-platform-'));
const shots = process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';
const problems = [];
let app;
let base;
let context;
let page;
let appid;
let secret;
let token;

const frame = () => page.frameLocator('[data-testid=mp-frame]:visible');

/** A WeChat API call as a developer's server makes it (harness.js). */
const wechat = (path, body) => wechatAt(base, path, body);

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  ({ appid, secret } = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'Express')));
  token = await accessToken(base, appid, secret);
  ({ context, page } = await openBrowser(tmp, problems));
  await signInTestUser(page, base);
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('upload → review → release; scan its code, subscribe, receive the notification', async () => {
  // CI: the upload key, then `superapp upload` (no operator key involved).
  const keyFile = join(tmp, 'upload.key');
  app.cli('mp', 'key', 'create', '--appid', appid, '-o', keyFile);
  const uploaded = execFileSync(app.bin, ['upload', '--key-file', keyFile, '--project', fixture, '--version', '1.0.0', '--desc', 'first release', '--server', base], { encoding: 'utf8' });
  assert.match(uploaded, /dev version 1\b/);

  // The developer's server: commit the dev version as trial, submit it.
  assert.equal((await wechat('/wxa/commit?access_token=' + token, { template_id: 1, ext_json: '{}', user_version: '1.0.0', user_desc: 'first release' })).errcode, 0);
  const submitted = await wechat('/wxa/submit_audit?access_token=' + token, { item_list: [{ address: 'pages/index/index', tag: '物流', title: '首页' }] });
  assert.equal(submitted.errcode, 0, JSON.stringify(submitted));
  const status = await wechat('/wxa/get_auditstatus?access_token=' + token, { auditid: submitted.auditid });
  assert.equal(status.status, 2, 'in review until a person decides: ' + JSON.stringify(status));
  // Before the release the app cannot be launched at its released version:
  // a code with check_path finds no published page.
  const early = await wechat('/wxa/getwxacodeunlimit?access_token=' + token, { scene: 'x', page: 'pages/index/index' });
  assert.equal(early.errcode, 41030);

  // The operator approves; the developer releases.
  app.cli('review', 'approve', String(submitted.auditid));
  assert.equal((await wechat('/wxa/get_auditstatus?access_token=' + token, { auditid: submitted.auditid })).status, 0);
  assert.equal((await wechat('/wxa/release?access_token=' + token, {})).errcode, 0);

  // A template, and a code whose path names it (an A code: the path may
  // carry a query; a B code's 32-character scene could not hold the id).
  const added = await wechat('/wxaapi/newtmpl/addtemplate?access_token=' + token, { tid: '1200', kidList: [1, 2, 3, 5], sceneDesc: '发货后通知' });
  assert.equal(added.errcode, 0, JSON.stringify(added));
  const tmplId = added.priTmplId;
  const codeRes = await fetch(`${base}/wxa/getwxacode?access_token=${token}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ path: `pages/index/index?tmpl=${tmplId}` }),
  });
  assert.equal(codeRes.headers.get('content-type'), 'image/jpeg');
  const codeFile = join(tmp, 'code.jpg');
  writeFileSync(codeFile, Buffer.from(await codeRes.arrayBuffer()));

  // The user picks the code's picture on the scan page: the released
  // version opens with scene 1049 (a code from the album).
  await page.goto(base + '/scan');
  const launched = page.waitForResponse((r) => r.url().includes(`/shell/api/mp/${appid}/launch`));
  await page.locator('#scan-image').setInputFiles(codeFile);
  await page.waitForURL((u) => u.pathname === '/miniprogram/' + appid);
  const launch = await (await launched).json();
  assert.deepEqual(launch.version, { id: 1, channel: 'online', user_version: '1.0.0' });
  const f = frame();
  await f.locator('#scene').filter({ hasText: '1049' }).waitFor();

  // The developer's server learns the OpenID; the user accepts in the sheet.
  await f.locator('#login').click();
  const code = (await f.locator('#code').filter({ hasText: /\S/ }).textContent()).trim();
  const session = await wechat(`/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`);
  assert.ok(session.openid, JSON.stringify(session));
  await f.locator('#subscribe').click();
  const sheet = page.locator('[data-testid=mp-subscribe]');
  await sheet.waitFor();
  await sheet.locator('[data-testid=mp-allow]').click();
  await f.locator('#result').filter({ hasText: /^ok: / }).waitFor();

  const sent = await wechat('/cgi-bin/message/subscribe/send?access_token=' + token, {
    touser: session.openid, template_id: tmplId, page: 'pages/order/order?id=9', miniprogram_state: 'formal', lang: 'zh_CN',
    data: { character_string1: { value: 'DD2026112100009' }, thing2: { value: '顺丰速运' }, character_string3: { value: 'SF0000000009' }, thing5: { value: '台灯' } },
  });
  assert.equal(sent.errcode, 0, JSON.stringify(sent));

  // Service notifications: the card, and its tap opens the page (1014).
  await page.goto(base + '/discover');
  await page.locator('[data-testid=discover-notifications]').click();
  const card = page.locator('[data-testid=notification]');
  await card.waitFor();
  assert.deepEqual(await card.locator('[data-testid=notification-field]').allTextContents(), ['订单号DD2026112100009', '快递公司顺丰速运', '快递单号SF0000000009', '商品名称台灯']);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'platform-service-notifications.png') });
  await card.click();
  await page.waitForURL((u) => u.pathname === `/miniprogram/${appid}` && u.searchParams.get('scene') === '1014');
  await frame().locator('#order-id').filter({ hasText: '9' }).waitFor();
  assert.equal((await frame().locator('#order-scene').textContent()).trim(), '1014');
  await page.screenshot({ path: join(shots, 'platform-notification-opened.png') });
  assert.deepEqual(problems, []);
});
