// Mini program codes end to end: a code made through WeChat's API
// (/wxa/getwxacodeunlimit), its picture chosen on the shell's scan page
// (album, scene 1049) and its address opened (camera, scene 1047), and a
// URL link (1194). The apitour fixture shows its launch options, where the
// code's scene arrives URI-encoded as query.scene, as WeChat gives it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessToken, openBrowser, signInTestUser, startSuperapp, tourLaunchOptions } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fixtures = join(repo, 'testdata', 'miniprograms');
const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-codes-'));
const problems = [];
let app;
let base;
let context;
let page;
let tour;
let token;

async function wxa(path, body) {
  const r = await fetch(`${base}${path}?access_token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
}

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  const created = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', 'API Tour'));
  tour = created.appid;
  app.cli('mp', 'publish', '--appid', tour, join(fixtures, 'apitour'));
  token = await accessToken(base, tour, created.secret);
  ({ context, page } = await openBrowser(tmp, problems));
  await signInTestUser(page, base);
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a code picked from the album opens its page with scene 1049 and query.scene', async () => {
  // check_path false: the tour has a dev build, no released version.
  const code = await wxa('/wxa/getwxacodeunlimit', { scene: 'id=7&u=x', page: 'pages/index/index', check_path: false });
  assert.equal(code.type, 'image/jpeg');
  const file = join(tmp, 'code.jpg');
  writeFileSync(file, code.bytes);
  await page.goto(base + '/scan');
  await page.locator('#scan-image').setInputFiles(file);
  await page.waitForURL((u) => u.pathname === '/miniprogram/' + tour);
  const launch = await tourLaunchOptions(page);
  assert.equal(launch.scene, 1049);
  assert.equal(launch.path, 'pages/index/index');
  assert.equal(launch.query.scene, encodeURIComponent('id=7&u=x'));
});

test("opening a code's address is a camera scan (1047)", async () => {
  const r = await fetch(`${base}/shell/api/mplink?text=${encodeURIComponent(`${base}/mpcode/${tour}?page=pages%2Findex%2Findex&scene=a%3D1`)}`);
  assert.equal(r.status, 200);
  await page.goto(`${base}/mpcode/${tour}?page=pages%2Findex%2Findex&scene=a%3D1`);
  await page.waitForURL((u) => u.pathname === '/miniprogram/' + tour);
  const launch = await tourLaunchOptions(page);
  assert.equal(launch.scene, 1047);
  assert.equal(launch.query.scene, 'a%3D1');
});

test('a URL link opens with scene 1194; an unknown one shows a clear page', async () => {
  const r = await wxa('/wxa/generate_urllink', { path: 'pages/index/index', query: 'from=sms', env_version: 'develop' });
  const link = JSON.parse(r.bytes.toString()).url_link;
  assert.match(link, /\/wxaurl\//);
  // A release link needs a released version; a develop link opens the
  // newest build for members, so the URL is checked without launching.
  const res = await fetch(link, { redirect: 'manual' });
  assert.equal(res.status, 303);
  const loc = new URL(res.headers.get('location'), base);
  assert.equal(loc.searchParams.get('scene'), '1194');
  assert.equal(loc.searchParams.get('query'), 'from=sms');
  await page.goto(base + '/wxaurl/nosuchticket');
  await page.getByTestId('message-page').waitFor();
  assert.match(await page.textContent('h2'), /not valid/);
  assert.deepEqual(problems, []);
});

test('a code in a chat image, long-pressed and recognized, opens with scene 1048', async () => {
  // An official account sends the user a picture of the tour's code.
  const oa = JSON.parse(app.cli('app', 'create', '--kind', 'service', '--name', 'Poster Desk'));
  const oaToken = await accessToken(base, oa.appid, oa.secret);
  const me = (await page.evaluate(() => fetch('/shell/api/me').then((r) => r.json()))).user;
  const followed = JSON.parse(app.cli('sim', 'follow', '--appid', oa.appid, '--user', me.id, '--json'));
  app.cli('sim', 'send', '--appid', oa.appid, '--user', me.id, '--text', 'poster?');
  const code = await wxa('/wxa/getwxacodeunlimit', { scene: 'from=poster', page: 'pages/index/index', check_path: false });
  const form = new FormData();
  form.append('media', new Blob([code.bytes], { type: 'image/jpeg' }), 'code.jpg');
  const media = await (await fetch(`${base}/cgi-bin/media/upload?access_token=${oaToken}&type=image`, { method: 'POST', body: form })).json();
  assert.ok(media.media_id, JSON.stringify(media));
  const sent = await (
    await fetch(`${base}/cgi-bin/message/custom/send?access_token=${oaToken}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ touser: followed.openid, msgtype: 'image', image: { media_id: media.media_id } }),
    })
  ).json();
  assert.equal(sent.errcode, 0, JSON.stringify(sent));

  await page.goto(`${base}/chats/${oa.appid}`);
  const image = page.locator('.oa-image').last();
  await image.waitFor();
  await image.dispatchEvent('contextmenu');
  await page.getByRole('dialog', { name: 'Recognize the code in the image?' }).getByRole('button', { name: 'Recognize' }).click();
  await page.waitForURL((u) => u.pathname === '/miniprogram/' + tour);
  const launch = await tourLaunchOptions(page);
  assert.equal(launch.scene, 1048);
  assert.equal(launch.query.scene, encodeURIComponent('from=poster'));
  assert.deepEqual(problems, []);
});
