// An official account's associated mini programs end to end: linked with
// `superapp oa mplink add` (same subject: linked at once) and through
// /cgi-bin/wxopen/wxamplink (another subject: pending until `oa mplink
// confirm`), listed on the account's profile (confirmed links with
// show_profile only) and opened from there with scene 1020; the account's
// menu button opens the same mini program with scene 1035 and a template
// message's jump with 1043. The apitour fixture shows its launch options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessToken, openBrowser, signInTestUser, startSuperapp, tourLaunchOptions } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fixtures = join(repo, 'testdata', 'miniprograms');
const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-oa-mp-'));
const problems = [];
let app;
let base;
let context;
let page;
let paper; // the service account
let token;
let tour; // its mini program, linked and on the profile
let hidden; // linked, not on the profile
let partner; // another subject's, confirmed later

async function wechat(path, body) {
  const r = await fetch(`${base}${path}?access_token=${token}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const m = await r.json();
  assert.equal(m.errcode ?? 0, 0, `${path}: ${JSON.stringify(m)}`);
  return m;
}

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  paper = JSON.parse(app.cli('app', 'create', '--kind', 'service', '--name', 'Daily Paper'));
  tour = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'API Tour')).appid;
  app.cli('mp', 'publish', '--appid', tour, join(fixtures, 'apitour'));
  hidden = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'Back Office')).appid;
  const sub = JSON.parse(app.cli('subject', 'create', '--kind', 'enterprise', '--name', 'Partner Ltd'));
  partner = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'Partner Shop', '--subject', sub.id)).appid;
  token = await accessToken(base, paper.appid, paper.secret);
  ({ context, page } = await openBrowser(tmp, problems));
  await signInTestUser(page, base);
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('link mini programs: by the operator and through wxamplink', async () => {
  const added = JSON.parse(app.cli('oa', 'mplink', 'add', '--appid', paper.appid, '--miniprogram', tour));
  assert.equal(added.status_name, 'linked');
  app.cli('oa', 'mplink', 'add', '--appid', paper.appid, '--miniprogram', hidden, '--show-profile', 'false');
  await wechat('/cgi-bin/wxopen/wxamplink', { appid: partner, notify_users: 0, show_profile: 1 });
  const { wxopens } = await wechat('/cgi-bin/wxopen/wxamplinkget', {});
  const status = Object.fromEntries(wxopens.items.map((i) => [i.appid, i.status]));
  assert.deepEqual(status, { [tour]: 1, [hidden]: 1, [partner]: 2 });
});

test('the profile lists confirmed, shown mini programs; tapping one opens it with scene 1020', async () => {
  await page.goto(`${base}/oa/${paper.appid}`);
  await page.getByTestId('account-profile').waitFor();
  const cells = page.getByTestId('account-miniprogram');
  await cells.first().waitFor();
  assert.deepEqual(await cells.evaluateAll((els) => els.map((e) => e.dataset.appid)), [tour]);
  assert.match(await page.getByTestId('account-miniprograms').textContent(), /API Tour/);

  // Once the partner's admin confirms, it is listed too.
  app.cli('oa', 'mplink', 'confirm', '--appid', paper.appid, '--miniprogram', partner);
  await page.reload();
  await page.locator(`[data-testid=account-miniprogram][data-appid="${partner}"]`).waitFor();
  assert.equal(await cells.count(), 2);

  await page.locator(`[data-testid=account-miniprogram][data-appid="${tour}"]`).click();
  await page.locator(`[data-testid=mp-container][data-appid="${tour}"][data-scene="1020"]`).waitFor();
  assert.equal((await tourLaunchOptions(page)).scene, 1020);
  await page.getByTestId('mp-close').click();
});

test('an account without links shows no list', async () => {
  const other = JSON.parse(app.cli('app', 'create', '--kind', 'subscription', '--name', 'Quiet Blog'));
  // Waits for the list's answer, so the assertion is not early.
  const answered = page.waitForResponse((r) => r.url().endsWith(`/shell/api/oa/${other.appid}/miniprograms`));
  await page.goto(`${base}/oa/${other.appid}`);
  assert.deepEqual(await (await answered).json(), { miniprograms: [] });
  await page.getByTestId('account-subject').waitFor();
  assert.equal(await page.getByTestId('account-miniprograms').count(), 0);
});

test('the menu button opens the linked mini program with scene 1035, a template jump with 1043', async () => {
  await wechat('/cgi-bin/menu/create', {
    button: [
      { type: 'click', name: 'Today', key: 'TODAY' },
      { type: 'miniprogram', name: 'Tour', url: base + '/', appid: tour, pagepath: 'pages/index/index' },
    ],
  });
  await page.goto(`${base}/oa/${paper.appid}`);
  await page.getByTestId('follow').click();
  await page.getByTestId('conversation').waitFor();
  await page.getByRole('button', { name: 'Tour' }).click();
  await page.locator(`[data-testid=mp-container][data-appid="${tour}"][data-scene="1035"]`).waitFor();
  assert.equal((await tourLaunchOptions(page)).scene, 1035);
  await page.getByTestId('mp-close').click();

  const { data } = await wechat('/cgi-bin/user/get');
  await wechat('/cgi-bin/template/api_set_industry', { industry_id1: '1', industry_id2: '2' });
  const { template_id } = await wechat('/cgi-bin/template/api_add_template', { template_id_short: 'OPENTM200565259' });
  await wechat('/cgi-bin/message/template/send', {
    touser: data.openid[0],
    template_id,
    miniprogram: { appid: tour, pagepath: 'pages/index/index' },
    data: { first: { value: 'Your tour is ready' }, keyword1: { value: '1' }, keyword2: { value: 'superapp' }, keyword3: { value: 'T1' } },
  });
  await page.goto(`${base}/chats/${paper.appid}`);
  await page.getByTestId('template-card').getByRole('button', { name: /Details/ }).click();
  await page.locator(`[data-testid=mp-container][data-appid="${tour}"][data-scene="1043"]`).waitFor();
  assert.equal((await tourLaunchOptions(page)).scene, 1043);
  await page.getByTestId('mp-close').click();
  assert.deepEqual(problems, []);
});
