// End-to-end test of official accounts in the shell: a real `superapp serve
// --dev`, a developer server (a tiny node HTTP server answering passive
// replies in plain mode), and Debian's chromium driven by playwright-core.
// Run with web/shell/e2e/run.sh.
//
// A user signs in, follows an account by opening its QR code's URL, taps a
// menu button (the CLICK reaches the developer server, its passive reply
// appears), sends a text and gets the reply, receives mass messages live
// (an unread badge in the chat list, the message in the open conversation),
// unfollows from the profile, finds the account by search and follows
// again, and follows another by picking a picture of its QR code.
//
// Environment: see harness.js; SCREENSHOT_DIR (default
// /tmp/superapp-e2e-screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHTTPServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessToken as tokenOf, openBrowser, startSuperapp } from './harness.js';

const shots = process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots';

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-oa-'));
let app; // the superapp server: { base, bin, dataDir, stop }
let base; // http://127.0.0.1:PORT
let operatorKey;
let context;
let page;
const problems = []; // console errors, page errors, CSP violations

// The developer server: what it received, and its address.
const pushes = [];
let devServer;
let devBase;

let shotNo = 0;
async function shot(name) {
  const path = join(shots, `oa-${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path, fullPage: false });
  console.log('screenshot: ' + path);
}

/** The admin API with the operator key. */
async function admin(method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: 'Bearer ' + operatorKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A WeChat API call as the account's own server makes it. */
async function wechat(path, token, body) {
  const r = await fetch(`${base}${path}?access_token=${token}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const m = await r.json();
  assert.equal(m.errcode ?? 0, 0, `${path}: ${JSON.stringify(m)}`);
  return m;
}

const accessToken = (app) => tokenOf(base, app.appid, app.secret);

/** The field of a pushed XML document (plain mode). */
function field(xml, name) {
  const m = xml.match(new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`));
  return m ? (m[1] ?? m[2]) : '';
}

function reply(doc, content) {
  return (
    `<xml><ToUserName><![CDATA[${doc.FromUserName}]]></ToUserName><FromUserName><![CDATA[${doc.ToUserName}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content></xml>`
  );
}

/** Starts the developer server: URL verification, pushes, passive replies. */
function startDeveloperServer() {
  devServer = createHTTPServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/article') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Article</title><h1 data-testid="article">The account\'s web page</h1>');
      return;
    }
    if (req.method === 'GET') {
      res.end(url.searchParams.get('echostr') ?? ''); // URL verification
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const doc = {};
      for (const f of ['ToUserName', 'FromUserName', 'MsgType', 'Content', 'Event', 'EventKey', 'Ticket', 'bizmsgmenuid']) doc[f] = field(body, f);
      pushes.push(doc);
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      if (doc.MsgType === 'text') res.end(reply(doc, 'You said: ' + doc.Content));
      else if (doc.Event === 'CLICK' && doc.EventKey === 'TODAY') res.end(reply(doc, "Today's headline: superapp ships official accounts"));
      else if (doc.Event === 'subscribe') res.end(reply(doc, 'Welcome to Daily Paper!'));
      else res.end('success');
    });
  });
  return new Promise((res) => devServer.listen(0, '127.0.0.1', () => res(`http://127.0.0.1:${devServer.address().port}`)));
}

/** Waits until the developer server received a push that matches. */
async function pushed(match, what) {
  const end = Date.now() + 15_000;
  for (;;) {
    const found = pushes.find(match);
    if (found) return found;
    if (Date.now() > end) throw new Error(`the developer server never got ${what}; it got ${JSON.stringify(pushes)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  app = await startSuperapp(tmp);
  base = app.base;
  operatorKey = readFileSync(join(app.dataDir, 'operator.key'), 'utf8').trim();
  devBase = await startDeveloperServer();
  ({ context, page } = await openBrowser(tmp, problems));
});

after(async () => {
  await context?.close();
  devServer?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// Shared by the steps, in order.
let paper; // the service account
let token;
let qrURL;
let shop; // a mini program its menu opens

test('set up an account with a developer server, a menu and a QR code', async () => {
  paper = await admin('POST', '/admin/v1/apps', { kind: 'service', name: 'Daily Paper' });
  shop = await admin('POST', '/admin/v1/apps', { kind: 'miniprogram', name: 'Paper Shop' });
  token = await accessToken(paper);
  await admin('PUT', `/admin/v1/apps/${paper.appid}/callback`, { url: devBase + '/wx', token: 'e2eToken', mode: 'plain' });
  await wechat('/cgi-bin/menu/create', token, {
    button: [
      { type: 'click', name: 'Today', key: 'TODAY' },
      {
        name: 'More',
        sub_button: [
          { type: 'view', name: 'Website', url: devBase + '/article' },
          { type: 'miniprogram', name: 'Shop', url: devBase + '/article', appid: shop.appid, pagepath: 'pages/shop/index' },
        ],
      },
    ],
  });
  const qr = await wechat('/cgi-bin/qrcode/create', token, { expire_seconds: 3600, action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'e2e-poster' } } });
  qrURL = qr.url;
  assert.match(new URL(qrURL).pathname, /^\/q\/[A-Za-z0-9_-]+$/);
});

test('sign in, then follow by opening the QR code URL', async () => {
  const qrPath = new URL(qrURL).pathname;
  // Signed out, the code's URL asks to sign in first, then comes back.
  await page.goto(base + qrPath);
  await page.getByTestId('signin-page').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('next'), qrPath);
  await page.getByTestId('to-register').click();
  await page.fill('#f-name', 'Alice');
  await page.fill('#f-phone', '139' + String(Date.now()).slice(-8));
  await page.fill('#f-password', 'correct horse battery');
  await page.getByTestId('submit').click();

  await page.getByTestId('conversation').waitFor();
  assert.equal(new URL(page.url()).pathname, '/chats/' + paper.appid);
  const sub = await pushed((d) => d.Event === 'subscribe', 'a subscribe event');
  assert.equal(sub.EventKey, 'qrscene_e2e-poster');
  assert.ok(sub.Ticket, 'the subscribe event carries the ticket');
  await page.getByText('Welcome to Daily Paper!').waitFor();
  assert.equal(await page.locator('.shell-navbar__title').textContent(), 'Daily Paper');
  await shot('followed-by-qr');
});

test('tap a menu button: the CLICK reaches the developer server and its reply appears', async () => {
  await page.getByRole('button', { name: 'Today' }).click();
  const click = await pushed((d) => d.Event === 'CLICK', 'a CLICK event');
  assert.equal(click.EventKey, 'TODAY');
  await page.getByText("Today's headline: superapp ships official accounts").waitFor();
  await shot('menu-click-reply');

  // Sub-buttons open in a popup; a mini program button opens the placeholder.
  await page.getByRole('button', { name: 'More' }).click();
  await page.getByRole('menuitem', { name: 'Shop' }).waitFor();
  await shot('submenu');
  await page.getByRole('menuitem', { name: 'Shop' }).click();
  await page.getByTestId('miniprogram-page').waitFor();
  assert.match(
    await page.getByTestId('miniprogram-text').textContent(),
    new RegExp(`Mini program ${shop.appid} .*page pages/shop/index`),
  );
  await pushed((d) => d.Event === 'view_miniprogram' && d.EventKey === 'pages/shop/index', 'a view_miniprogram event');
  await shot('miniprogram-placeholder');
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByTestId('conversation').waitFor();

  // A view button raises VIEW and opens its page.
  await page.getByRole('button', { name: 'More' }).click();
  await Promise.all([page.waitForURL(devBase + '/article'), page.getByRole('menuitem', { name: 'Website' }).click()]);
  await page.getByTestId('article').waitFor();
  await pushed((d) => d.Event === 'VIEW' && d.EventKey === devBase + '/article', 'a VIEW event');
  await page.goBack();
  await page.getByTestId('conversation').waitFor();
});

test('send a text and get the passive reply', async () => {
  await page.getByRole('button', { name: 'Switch to keyboard' }).click();
  await page.getByLabel('Message', { exact: true }).fill('hello from the shell');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const mine = page.locator('[data-testid="message"][data-direction="in"]', { hasText: 'hello from the shell' });
  await mine.waitFor();
  await page.getByText('You said: hello from the shell').waitFor();
  const text = await pushed((d) => d.MsgType === 'text', 'the text message');
  assert.equal(text.Content, 'hello from the shell');
  // The user's own message is on the right, the account's on the left.
  const mineBox = await mine.locator('.oa-bubble').boundingBox();
  const theirs = await page.locator('[data-testid="message"][data-direction="out"]', { hasText: 'You said:' }).locator('.oa-bubble').boundingBox();
  assert.ok(mineBox.x > theirs.x, `own message at x=${mineBox.x}, the reply at x=${theirs.x}`);
  await shot('text-and-reply');
});

/** Draws a JPEG picture with a caption, with the browser's canvas. */
async function picture(caption, from, to) {
  const dataURL = await page.evaluate(
    ([caption, from, to]) => {
      const c = document.createElement('canvas');
      c.width = 480;
      c.height = 270;
      const g = c.getContext('2d');
      const grad = g.createLinearGradient(0, 0, 480, 270);
      grad.addColorStop(0, from);
      grad.addColorStop(1, to);
      g.fillStyle = grad;
      g.fillRect(0, 0, 480, 270);
      g.fillStyle = '#fff';
      g.font = 'bold 36px sans-serif';
      g.fillText(caption, 32, 150);
      return c.toDataURL('image/jpeg', 0.9);
    },
    [caption, from, to],
  );
  return Buffer.from(dataURL.split(',')[1], 'base64');
}

/** Uploads a temporary media file of the account; returns its media_id. */
async function uploadMedia(type, jpeg) {
  const form = new FormData();
  form.append('media', new Blob([jpeg], { type: 'image/jpeg' }), 'picture.jpg');
  const r = await fetch(`${base}/cgi-bin/media/upload?access_token=${token}&type=${type}`, { method: 'POST', body: form });
  const m = await r.json();
  assert.ok(m.media_id || m.thumb_media_id, JSON.stringify(m));
  return m.media_id || m.thumb_media_id;
}

test('every kind of pushed message renders: news, image, mini program card, choices, template', async () => {
  const { data } = await wechat('/cgi-bin/user/get', token);
  assert.equal(data.openid.length, 1);
  const openid = data.openid[0];
  const image = await uploadMedia('image', await picture('Daily Paper', '#07c160', '#10aeff'));
  const thumb = await uploadMedia('thumb', await picture('Today only: -30%', '#fa9d3b', '#fa5151'));

  // Customer-service messages, within the window the user's text opened.
  const custom = (msg) => wechat('/cgi-bin/message/custom/send', token, { touser: openid, ...msg });
  await custom({ msgtype: 'news', news: { articles: [{ title: 'How we built it', description: 'A long read about official accounts.', url: devBase + '/article', picurl: `${base}/shell/media/${image}` }] } });
  await custom({ msgtype: 'image', image: { media_id: image } });
  await custom({ msgtype: 'miniprogrampage', miniprogrampage: { title: 'Paper Shop: today only', appid: shop.appid, pagepath: 'pages/deal/index', thumb_media_id: thumb } });
  await custom({ msgtype: 'msgmenu', msgmenu: { head_content: 'Did you like today’s paper?', list: [{ id: '101', content: 'Yes, a lot' }, { id: '102', content: 'Not really' }], tail_content: 'Thank you!' } });
  // A template message with a mini program jump.
  await wechat('/cgi-bin/template/api_set_industry', token, { industry_id1: '1', industry_id2: '2' });
  const { template_id } = await wechat('/cgi-bin/template/api_add_template', token, { template_id_short: 'OPENTM200565259' });
  await wechat('/cgi-bin/message/template/send', token, {
    touser: openid,
    template_id,
    miniprogram: { appid: shop.appid, pagepath: 'pages/order/index?id=42' },
    data: { first: { value: 'Your order has shipped' }, keyword1: { value: '201408120001' }, keyword2: { value: 'SF Express' }, keyword3: { value: 'SF1234567890' }, remark: { value: 'Tap for details' } },
  });

  const conv = page.getByTestId('messages');
  await conv.locator('[data-kind="template"]').waitFor();
  for (const kind of ['news', 'image', 'miniprogrampage', 'msgmenu', 'template']) {
    assert.equal(await conv.locator(`[data-kind="${kind}"]`).count(), 1, kind);
  }
  assert.match(await page.getByTestId('template-card').textContent(), /SF1234567890/);
  await page.getByRole('link', { name: 'How we built it' }).waitFor();
  await conv.locator('[data-kind="news"]').scrollIntoViewIfNeeded();
  await shot('rich-messages-1');
  await conv.locator('[data-kind="template"]').scrollIntoViewIfNeeded();
  await shot('rich-messages-2');

  // A choice sends its text with its id.
  await page.getByRole('button', { name: 'Yes, a lot' }).click();
  const choice = await pushed((d) => d.MsgType === 'text' && d.Content === 'Yes, a lot', 'the chosen reply');
  assert.equal(choice.bizmsgmenuid, '101');
  await page.getByText('You said: Yes, a lot').waitFor();

  // Mini program cards and template jumps open the placeholder.
  await page.getByTestId('miniprogram-card').click();
  await page.getByTestId('miniprogram-page').waitFor();
  assert.match(await page.getByTestId('miniprogram-text').textContent(), /page pages\/deal\/index/);
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByTestId('template-card').getByRole('button', { name: /Details/ }).click();
  assert.match(await page.getByTestId('miniprogram-text').textContent(), /page pages\/order\/index\?id=42/);
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByTestId('conversation').waitFor();
});

test('mass messages arrive live: a badge in the chat list, the message in the open conversation', async () => {
  // Marks the document: a reload would lose it.
  await page.evaluate(() => (window.__sameDocument = true));
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByTestId('chats-page').waitFor();
  const chat = page.locator(`[data-testid="chat"][data-appid="${paper.appid}"]`);
  // Everything was read in the conversation.
  await chat.getByTestId('unread').waitFor({ state: 'detached' });

  await wechat('/cgi-bin/message/mass/sendall', token, { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'Evening edition: 3 new stories' } });
  await chat.getByTestId('unread').waitFor();
  assert.equal(await chat.getByTestId('unread').textContent(), '1');
  assert.equal(await chat.getByTestId('chat-preview').textContent(), 'Evening edition: 3 new stories');
  await shot('mass-unread-badge');

  await chat.click();
  await page.getByTestId('conversation').waitFor();
  await page.getByText('Evening edition: 3 new stories').waitFor();
  await wechat('/cgi-bin/message/mass/sendall', token, { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'Breaking: the second mass message' } });
  await page.getByText('Breaking: the second mass message').waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  await shot('mass-in-conversation');
});

test('unfollow from the profile', async () => {
  await page.getByRole('button', { name: 'Account profile' }).click();
  await page.getByTestId('account-profile').waitFor();
  assert.equal(await page.getByTestId('account-name').textContent(), 'Daily Paper');
  assert.equal(await page.getByTestId('account-followers').textContent(), '1');
  await shot('profile');
  await page.getByRole('button', { name: 'Unfollow' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unfollow Daily Paper?' });
  await dialog.waitFor();
  await shot('unfollow-confirm');
  await dialog.getByRole('button', { name: 'Unfollow' }).click();
  await page.getByRole('button', { name: 'Follow' }).waitFor();
  assert.equal(await page.getByTestId('account-followers').textContent(), '0');
  await pushed((d) => d.Event === 'unsubscribe', 'an unsubscribe event');
  await shot('unfollowed');
});

test('find the account by search and follow it again', async () => {
  await page.goto(base + '/discover');
  await page.getByTestId('discover-accounts').click();
  await page.getByLabel('Search official accounts').fill('daily');
  const result = page.getByTestId('search-result').filter({ hasText: 'Daily Paper' });
  await result.waitFor();
  await shot('search');
  await result.click();
  await page.getByTestId('account-profile').waitFor();
  const before = pushes.length;
  await page.getByRole('button', { name: 'Follow' }).click();
  await page.getByTestId('conversation').waitFor();
  const sub = await pushed((d, i) => i >= before && d.Event === 'subscribe', 'a second subscribe event');
  assert.equal(sub.EventKey, '', 'following from search carries no QR scene');
});

test('scan a picture of a QR code', async () => {
  const other = await admin('POST', '/admin/v1/apps', { kind: 'subscription', name: 'Weekend Recipes' });
  const otherToken = await accessToken(other);
  const qr = await wechat('/cgi-bin/qrcode/create', otherToken, { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 7 } } });
  const png = Buffer.from(await (await fetch(`${base}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`)).arrayBuffer());
  const file = join(tmp, 'code.png');
  writeFileSync(file, png);

  await page.goto(base + '/discover');
  await page.getByTestId('discover-scan').click();
  await page.getByTestId('scan-page').waitFor();
  await shot('scan');
  await page.setInputFiles('#scan-image', file);
  await page.getByTestId('conversation').waitFor();
  assert.equal(new URL(page.url()).pathname, '/chats/' + other.appid);
  assert.equal(await page.locator('.shell-navbar__title').textContent(), 'Weekend Recipes');

  await page.goto(base + '/chats');
  await page.locator('.oa-chat__name').nth(1).waitFor();
  const names = await page.locator('.oa-chat__name').allTextContents();
  assert.deepEqual(names.sort(), ['Daily Paper', 'Weekend Recipes']);
  await shot('chat-list');
});

test('an unknown QR code says so', async () => {
  const r = await fetch(base + '/q/NoSuchCode', { redirect: 'manual', headers: { Cookie: (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ') } });
  assert.equal(r.status, 404);
  await page.goto(base + '/q/NoSuchCode');
  await page.getByText('This QR code is not valid').waitFor();
  await shot('invalid-qr');
});

test('no script errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
