// End-to-end test of the runtime in headless Chromium: a parent page plays
// the shell (iframe sandbox="allow-scripts", the load message, the storage
// relay), the frame runs dist/view.js and the worker dist/logic.js, and the
// fixture package (e2e/fixture) is packed by pack.Build.
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const dist = join(here, '../dist');
const CSP = "default-src 'none'; script-src 'self' blob:; style-src 'unsafe-inline'; img-src * data: blob:; worker-src blob:; connect-src 'none'";

// The shell's part, reduced to what the frame protocol needs.
const parentHTML = `<!doctype html><meta charset="utf-8"><body style="margin:0">
<iframe id="mp" sandbox="allow-scripts" src="/mp/frame" style="width:375px;height:667px;border:0"></iframe>
<script>
window.__calls = [];
window.__events = [];
const store = JSON.parse(localStorage.getItem('mp-storage') || '{}');
const frame = document.getElementById('mp');
async function text(u) { const r = await fetch(u); if (!r.ok) throw new Error(u + ' ' + r.status); return r.text(); }
window.addEventListener('message', async (e) => {
  if (e.source !== frame.contentWindow) return;
  const m = e.data;
  window.__events.push(m.t === 'state' ? 'state:' + m.title : m.t);
  if (m.t === 'ready') {
    const manifest = JSON.parse(await text('/manifest.json'));
    const main = manifest.packages.find((p) => p.root === '');
    const service = await text('/mp/pkg/' + main.files['service.js']);
    const styles = JSON.parse(await text('/mp/pkg/' + main.files['styles.json']));
    const runtime = await text('/mp/logic.js');
    frame.contentWindow.postMessage({ t: 'load', runtime, manifest, packages: { '': { service, styles } }, storage: store,
      launch: { path: new URLSearchParams(location.search).get('path') || '', query: {}, scene: 1001 }, assetBase: '/mp/pkg/' }, '*');
  } else if (m.t === 'call') {
    window.__calls.push(m.name);
    let ok = true, value = null, error;
    if (m.name === 'storage.set') store[m.args[0]] = m.args[1];
    else if (m.name === 'storage.remove') delete store[m.args[0]];
    else if (m.name === 'storage.clear') for (const k in store) delete store[k];
    else { ok = false; error = 'unknown call ' + m.name; }
    localStorage.setItem('mp-storage', JSON.stringify(store));
    frame.contentWindow.postMessage(ok ? { t: 'result', id: m.id, ok, value } : { t: 'result', id: m.id, ok, error }, '*');
  }
});
</script>`;

let server;
let base;
let browser;
let tmp;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mp-e2e-'));
  const out = join(tmp, 'pack');
  execFileSync('go', ['run', './web/miniprogram/e2e/packfixture', join(here, 'fixture'), out], { cwd: repo, stdio: 'inherit' });
  const manifest = readFileSync(join(out, 'manifest.json'));
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (type, body, headers = {}) => {
      res.writeHead(200, { 'content-type': type, ...headers });
      res.end(body);
    };
    try {
      if (url.pathname === '/') return send('text/html', parentHTML);
      if (url.pathname === '/manifest.json') return send('application/json', manifest);
      if (url.pathname === '/mp/frame') return send('text/html', readFileSync(join(dist, 'frame.html')), { 'content-security-policy': CSP });
      if (url.pathname === '/mp/view.js') return send('text/javascript', readFileSync(join(dist, 'view.js')));
      if (url.pathname === '/mp/logic.js') return send('text/javascript', readFileSync(join(dist, 'logic.js')));
      const m = /^\/mp\/pkg\/([0-9a-f]{64})$/.exec(url.pathname);
      if (m) return send('application/octet-stream', readFileSync(join(out, 'files', m[1])));
    } catch {
      /* fall through to 404 */
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(problems, launchPath = '') {
  const context = await browser.newContext({ viewport: { width: 375, height: 667 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push('console: ' + m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await page.goto(base + '/' + (launchPath ? '?path=' + encodeURIComponent(launchPath) : ''));
  const frame = page.frameLocator('#mp');
  return { context, page, frame };
}

test('renders, taps, components, navigation, storage through the shell', async () => {
  const problems = [];
  const { context, page, frame } = await open(problems);
  // First render, app.wxss rpx (32rpx at 375px = 16px), navigation bar.
  const count = frame.locator('#count');
  await assert.doesNotReject(count.waitFor());
  assert.equal(await count.textContent(), 'count 0');
  assert.equal(await count.evaluate((el) => getComputedStyle(el).fontSize), '16px');
  assert.equal(await count.evaluate((el) => getComputedStyle(el).color), 'rgb(1, 2, 3)');
  assert.equal(await frame.locator('.mp-nav .mp-title').textContent(), 'E2E');
  assert.equal(await frame.locator('#saved').textContent(), 'saved none');

  // tap → setData → DOM update.
  await count.click();
  await frame.locator('#count', { hasText: 'count 1' }).waitFor();

  // Component: isolated class, :host style, slot content from the page, triggerEvent.
  const card = frame.locator('#card');
  assert.equal(await card.evaluate((el) => getComputedStyle(el).borderTopColor), 'rgb(200, 0, 0)');
  assert.equal(await frame.locator('wx-card').evaluate((el) => getComputedStyle(el).marginTop), '4px');
  assert.equal(await frame.locator('#slotted').textContent(), 'slot content 1');
  await frame.locator('.c3233a--card-title').click();
  await frame.locator('#card-said', { hasText: 'hi1' }).waitFor();
  assert.match(await frame.locator('.c3233a--card-title').textContent(), /hello 1/);
  assert.equal(await frame.locator('.item').count(), 2);

  // Lifecycle order.
  await frame.locator('#showlog').click();
  await frame.locator('#log', { hasText: 'A.onReady' }).waitFor();
  assert.equal(await frame.locator('#log').textContent(), 'App.onLaunch,App.onShow,A.onLoad,A.onShow,A.onReady');

  // navigateTo / navigateBack.
  await frame.locator('#go').click();
  await frame.locator('#from', { hasText: 'from index' }).waitFor();
  assert.equal(await frame.locator('.mp-nav .mp-title').textContent(), 'Page B');
  assert.equal(await frame.locator('.mp-back').isVisible(), true);
  await frame.locator('#back').click();
  await frame.locator('#from').waitFor({ state: 'detached' });
  await frame.locator('#showlog').click();
  await frame.locator('#log', { hasText: 'B.onUnload' }).waitFor();
  assert.equal(
    await frame.locator('#log').textContent(),
    'App.onLaunch,App.onShow,A.onLoad,A.onShow,A.onReady,A.onHide,B.onLoad,B.onShow,B.onReady,B.onUnload,A.onShow',
  );

  // Storage: written behind through the parent, read back synchronously after a reload.
  await frame.locator('#save').click();
  await page.waitForFunction(() => window.__calls.includes('storage.set'));
  const events = await page.evaluate(() => window.__events);
  assert.ok(events.includes('launched'), JSON.stringify(events));
  assert.ok(events.includes('state:E2E'), JSON.stringify(events));
  await page.reload();
  await frame.locator('#saved', { hasText: 'saved v1' }).waitFor();

  assert.deepEqual(problems, []);
  await context.close();
});

test('runtime core with compiled WXML: model:, camelCased props, generics, WXS handler, component styles, label for=, wx:if identity', async () => {
  const problems = [];
  const { context, frame } = await open(problems, 'pages/core/core');
  await frame.locator('#echo').waitFor();
  assert.equal(await frame.locator('.mp-nav .mp-title').textContent(), 'Core');

  // componentStyles are in the page's shadow root before the app's sheets; widget state attributes are the widget's.
  const btn = frame.locator('#btn');
  assert.equal(await btn.evaluate((el) => getComputedStyle(el).width), '184px');
  assert.equal(await btn.getAttribute('type'), 'primary');
  assert.equal(await btn.getAttribute('hover-class'), 'btn-down');

  // model:value: typing writes back to form.name, which re-renders the echo.
  assert.equal(await frame.locator('#echo').textContent(), 'echo ann');
  const input = frame.locator('#name input');
  assert.equal(await input.inputValue(), 'ann');
  await input.fill('bob');
  await frame.locator('#echo', { hasText: 'echo bob' }).waitFor();
  await input.pressSequentially('by');
  await frame.locator('#echo', { hasText: 'echo bobby' }).waitFor();
  assert.equal(await input.inputValue(), 'bobby');

  // <label for> inside the page's shadow root toggles the switch; model:checked writes it back.
  await frame.locator('#lbl').click();
  await frame.locator('#on', { hasText: 'on true' }).waitFor();

  // my-prop="{{n}}" reaches the card's myProp property.
  const prop = frame.locator('#cardhost .c3233a--card-prop');
  assert.equal(await prop.textContent(), 'prop 0');
  await frame.locator('#cardhost .c3233a--card-title').click();
  await frame.locator('#cardhost .c3233a--card-prop', { hasText: 'prop 1' }).waitFor();

  // WXS event-response function: callMethod on the page, addClass on the node.
  await frame.locator('#wxs').click();
  await frame.locator('#wxs', { hasText: 'wxs n=7' }).waitFor();
  assert.equal(await frame.locator('#wxs').getAttribute('class'), 'plain wxs-on');

  // Generics: the owner's choice, else the default.
  assert.equal(await frame.locator('#gl').textContent(), 'B:aB:b');
  assert.equal(await frame.locator('#gd').textContent(), 'A:d');

  // wx:if between two counters: the other branch starts fresh; the element kept keeps its state.
  await frame.locator('#ca > wx-view').click();
  await frame.locator('#ca', { hasText: 'A:1' }).waitFor();
  await frame.locator('#keep > wx-view').click();
  await frame.locator('#keep > wx-view').click();
  await frame.locator('#keep', { hasText: 'K1:2' }).waitFor();
  await frame.locator('#toggle').click();
  await frame.locator('#cb', { hasText: 'B:0' }).waitFor();
  assert.equal(await frame.locator('#keep').textContent(), 'K2:2');
  assert.equal(await frame.locator('#ca').count(), 0);
  await frame.locator('#toggle').click();
  await frame.locator('#ca', { hasText: 'A:0' }).waitFor();
  assert.equal(await frame.locator('#keep').textContent(), 'K1:2');

  assert.deepEqual(problems, []);
  await context.close();
});
