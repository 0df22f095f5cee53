// End-to-end tests of the fixture mini programs (testdata/miniprograms)
// through the real shell container and the real runtime: a `superapp serve
// --dev`, each fixture published with `superapp mp publish` under its own
// appid, a signed-in test user, the mini program opened at
// /miniprogram/<appid> in Debian's chromium. Elements are found inside the
// sandboxed frame; playwright's CSS locators pierce the pages' open shadow
// roots. The ids asserted on are the ones testdata/miniprograms/README.md
// documents.
//
// Screenshots (390×844): mp-<fixture>-<step>.png, see docScreenshot in
// harness.js (docs/screenshots with SUPERAPP_DOC_SCREENSHOTS=1). Environment:
// see harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docScreenshot, openBrowser, startSuperapp } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fixtures = join(repo, 'testdata', 'miniprograms');

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-fixtures-'));
let app; // { base, bin, dataDir, stop }
let base;
let context;
let page;
const problems = [];
/** fixture name → appid */
const appids = {};
let firstUser;

const cli = (...args) => app.cli(...args);

async function shot(fixture, step) {
  // Let a pushed page finish sliding in.
  for (const fr of page.frames()) {
    if (fr !== page.mainFrame()) await fr.waitForFunction(() => !document.querySelector('.mp-enter')).catch(() => {});
  }
  await page.screenshot({ path: docScreenshot(`mp-${fixture}-${step}.png`) });
}

async function signInNewUser() {
  const r = await page.evaluate(() => fetch('/shell/api/test-user', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.json()));
  return r.user ?? r;
}

/** Opens fixture at /miniprogram/<appid> and returns its frame (a playwright Frame). */
async function open(fixture, query = '') {
  await page.goto(`${base}/miniprogram/${appids[fixture]}${query ? '?' + query : ''}`);
  return visibleFrame();
}

async function visibleFrame() {
  const el = page.locator('[data-testid=mp-frame]:visible');
  await el.waitFor();
  return (await el.elementHandle()).contentFrame();
}

/** The page on top of the mini program's stack. */
const top = (f) => f.locator('.mp-page:not(.mp-hidden)');

/** The non-tab pages (tab pages stay alive once opened). */
const pushed = (f) => f.locator('.mp-page:not(.mp-tab)');

/** Waits until the locator's text is exactly text. */
async function hasText(loc, text) {
  await loc.filter({ hasText: text }).waitFor();
  assert.equal((await loc.textContent()).trim(), text);
}

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  // todo2 is the todo package under another appid: storage is per app.
  for (const [name, dir] of Object.entries({ todo: 'todo', todo2: 'todo', shop: 'shop', components: 'components', form: 'form', news: 'news' })) {
    appids[name] = JSON.parse(cli('app', 'create', '--kind', 'miniprogram', '--name', 'Fixture ' + name)).appid;
    cli('mp', 'publish', '--appid', appids[name], join(fixtures, dir));
  }
  ({ context, page } = await openBrowser(tmp, problems));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/');
  firstUser = await signInNewUser();
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('todo: add, toggle, filter, delete, clear all; WXS counts; toasts; storage survives restarts, per user and per app', async () => {
  let f = await open('todo');
  let p = top(f);
  await p.locator('#empty').waitFor();
  assert.equal(await f.locator('.mp-nav .mp-title').textContent(), '待办清单');
  await shot('todo', '1-empty');

  // An empty draft is refused with a text-only toast.
  await p.locator('#add-btn').click();
  await hasText(f.locator('.mp-toast .mp-toast-title'), '请输入内容');

  const input = p.locator('#new-todo input');
  for (const [i, title] of ['买牛奶', '写周报', '跑步 5 公里'].entries()) {
    await input.fill(title);
    await p.locator('#add-btn').click();
    await hasText(p.locator(`#todo-${i + 1} .title`), title);
    // model:value: addTodo's setData({draft: ''}) empties the input.
    await p.locator('#new-todo input[value=""]').or(input).waitFor();
    assert.equal(await input.inputValue(), '');
  }
  await hasText(f.locator('.mp-toast .mp-toast-title'), '已添加');
  assert.equal(await f.locator('.mp-toast .mp-icon').count(), 1, 'success toast has its icon');
  await shot('todo', '2-added');
  await hasText(p.locator('#count'), '剩余 3 项');
  await hasText(p.locator('#total'), '共 3 项');

  // Toggle #2: done, counted by the WXS module.
  await p.locator('#toggle-2').click();
  await p.locator('#todo-2.done').waitFor();
  await hasText(p.locator('#count'), '剩余 2 项');
  assert.equal(await p.locator('#toggle-2 [role=img]').getAttribute('aria-label'), 'success');
  assert.equal(await p.locator('#toggle-1 [role=img]').getAttribute('aria-label'), 'circle');

  // Filters.
  await p.locator('#filter-done').click();
  await p.locator('#todo-1').waitFor({ state: 'detached' });
  assert.deepEqual(await p.locator('#todo-list > *').evaluateAll((els) => els.map((e) => e.id)), ['todo-2']);
  assert.match(await p.locator('#filter-done').getAttribute('class'), /\bactive\b/);
  await shot('todo', '3-filter-done');
  await p.locator('#filter-active').click();
  await p.locator('#todo-2').waitFor({ state: 'detached' });
  assert.deepEqual(await p.locator('#todo-list > *').evaluateAll((els) => els.map((e) => e.id)), ['todo-1', 'todo-3']);
  await p.locator('#filter-all').click();
  await p.locator('#todo-2').waitFor();

  // Delete #1.
  await p.locator('#delete-1').click();
  await p.locator('#todo-1').waitFor({ state: 'detached' });
  await hasText(p.locator('#total'), '共 2 项');
  assert.deepEqual(await p.locator('#todo-list > *').evaluateAll((els) => els.map((e) => e.id)), ['todo-2', 'todo-3']);

  // Close the container and come back from Discover's recent list: a warm
  // start, the same run (launchCount unchanged); then a full page reload: a
  // cold start, restored from storage (launchCount + 1).
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await page.locator(`[data-testid=mp-recent][data-appid="${appids.todo}"]`).click();
  f = await visibleFrame();
  p = top(f);
  await hasText(p.locator('#todo-3 .title'), '跑步 5 公里');
  await p.locator('#to-stats').click();
  await hasText(top(f).locator('#launch-count'), '1');
  await hasText(top(f).locator('#done-count'), '1');
  await hasText(top(f).locator('#all-count'), '2');
  await shot('todo', '4-stats');
  await page.reload();
  f = await visibleFrame();
  p = top(f);
  await hasText(p.locator('#todo-3 .title'), '跑步 5 公里');
  await p.locator('#todo-2.done').waitFor();
  assert.equal(await p.locator('#todo-1').count(), 0);
  await hasText(p.locator('#count'), '剩余 1 项');
  await shot('todo', '5-restored');
  await p.locator('#to-stats').click();
  await hasText(top(f).locator('#launch-count'), '2');
  await f.locator('.mp-back').click();
  await top(f).locator('#to-stats').waitFor();

  // Clear all: the modal, cancel keeps, confirm empties.
  await p.locator('#clear-all').click();
  const modal = f.locator('.mp-modal');
  await hasText(modal.locator('.mp-mc'), '确定删除全部 2 项吗？');
  await shot('todo', '6-modal');
  await modal.locator('.mp-cancel-btn').click();
  await modal.waitFor({ state: 'detached' });
  assert.equal(await p.locator('#todo-2').count(), 1);
  await p.locator('#clear-all').click();
  await modal.locator('.mp-confirm-btn').click();
  await p.locator('#empty').waitFor();
  assert.equal(await p.locator('#todo-list').count(), 0);

  // Add one more, then: another user sees an empty list, and so does the
  // same package published under another appid.
  await p.locator('#new-todo input').fill('只属于第一个用户');
  await p.locator('#add-btn').click();
  await p.locator('#todo-1').waitFor();
  // Storage is written behind: wait until the shell has persisted it.
  await page.waitForFunction(
    ([userId, appid]) =>
      new Promise((resolve) => {
        const req = indexedDB.open('superapp-miniprogram');
        req.onsuccess = () => {
          const get = req.result.transaction('storage').objectStore('storage').get([userId, appid, 'todos']);
          get.onsuccess = () => resolve(JSON.stringify(get.result ?? null).includes('只属于第一个用户'));
          get.onerror = () => resolve(false);
        };
        req.onerror = () => resolve(false);
      }),
    [firstUser.id, appids.todo],
  );
  f = await open('todo2');
  await top(f).locator('#empty').waitFor();
  assert.equal(await f.locator('.mp-page').count(), 1);
  const firstUserCookies = await context.cookies();
  await signInNewUser();
  f = await open('todo');
  p = top(f);
  await p.locator('#empty').waitFor();
  await shot('todo', '7-other-user');
  // Back to the first user: the item is there.
  await context.clearCookies();
  await context.addCookies(firstUserCookies);
  f = await open('todo');
  await hasText(top(f).locator('#todo-1 .title'), '只属于第一个用户');
});

/**
 * Records, through a CDP session, every request the shell page makes for
 * /mp/pkg/… and whether Chromium answered it from its HTTP cache (memory
 * or disk) or from the network.
 */
async function watchPackageFiles() {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map();
  const seen = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    const u = new URL(e.request.url);
    if (!u.pathname.startsWith('/mp/pkg/')) return;
    const r = { url: u.pathname + u.search, hash: u.pathname.slice('/mp/pkg/'.length), cached: false, done: false };
    byId.set(e.requestId, r);
    seen.push(r);
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.cached = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) r.cached = true;
    r.status = e.response.status;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.done = true;
  });
  return { seen, cdp };
}

async function launchInfo(fixture) {
  return page.evaluate((appid) => fetch(`/shell/api/mp/${appid}/launch`).then((r) => r.json()), appids[fixture]);
}

test('shop: tabBar, detail via navigateTo + query, cart badge, subpackage loaded on first entry, 10-page limit, second launch from the HTTP cache', async () => {
  const launch = await launchInfo('shop');
  const pkg = (root) => launch.manifest.packages.find((p) => p.root === root);
  const mainService = pkg('').files['service.js'];
  const orderService = pkg('packageOrder/').files['service.js'];
  assert.ok(mainService && orderService && mainService !== orderService);
  const net = await watchPackageFiles();
  const fetched = (hash) => net.seen.filter((r) => r.hash === hash);

  let f = await open('shop');
  let p = top(f);
  await p.locator('#product-106').waitFor();
  assert.equal(await p.locator('#product-list > wx-product-card').count(), 6);
  assert.equal(await p.locator('#product-101').getByText('¥39.90').count(), 1);
  // The tabBar: four items with their icons loaded, the first in selectedColor.
  const tabs = f.locator('.mp-tabbar .mp-tab-item');
  assert.deepEqual(await tabs.allTextContents(), ['首页', '分类', '购物车', '我的']);
  const tabColors = () => tabs.evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
  assert.deepEqual(await tabColors(), ['rgb(228, 57, 60)', 'rgb(153, 153, 153)', 'rgb(153, 153, 153)', 'rgb(153, 153, 153)']);
  await f.locator('.mp-tabbar img').first().waitFor();
  await f.waitForFunction(() => [...document.querySelectorAll('.mp-tabbar img')].every((i) => i.complete && i.naturalWidth > 0));
  const iconSrcs = await f.locator('.mp-tabbar img').evaluateAll((els) => els.map((e) => new URL(e.src).pathname));
  assert.equal(iconSrcs[0], '/mp/pkg/' + pkg('').files['images/tab/home-active.png']);
  assert.equal(iconSrcs[1], '/mp/pkg/' + pkg('').files['images/tab/category.png']);
  assert.equal(fetched(mainService).length, 1);
  assert.equal(fetched(mainService)[0].cached, false, 'the first launch downloads the main package');
  assert.equal(fetched(orderService).length, 0);
  await shot('shop', '1-home');

  // Search filters by title.
  await p.locator('#search input').fill('咖啡');
  await p.locator('#product-101').waitFor({ state: 'detached' });
  assert.deepEqual(await p.locator('#product-list > wx-product-card').evaluateAll((els) => els.map((e) => e.id)), ['product-105']);
  await p.locator('#search input').fill('榴莲');
  await hasText(p.locator('#no-result'), '没有找到“榴莲”');
  await p.locator('#search input').fill('');
  await p.locator('#product-101').waitFor();

  // Switch tabs: category is a tab page, the colour follows.
  await tabs.nth(1).click();
  await top(f).locator('#cat-fruit').waitFor();
  assert.deepEqual(await tabColors(), ['rgb(153, 153, 153)', 'rgb(228, 57, 60)', 'rgb(153, 153, 153)', 'rgb(153, 153, 153)']);
  await top(f).locator('#cat-drink').click();
  await top(f).locator('#cat-product-105').waitFor();
  assert.equal(await top(f).locator('#cat-product-101').count(), 0);
  await tabs.nth(0).click();
  p = top(f);
  await p.locator('#product-102').waitFor();

  // Product card (a navigator in a component) → detail with ?id=102.
  await p.locator('#product-102').click();
  p = top(f);
  await hasText(p.locator('#detail-title'), '烟台红富士苹果 10个');
  await hasText(p.locator('#detail-price'), '¥45.90');
  await hasText(f.locator('.mp-nav .mp-title'), '烟台红富士苹果 10个'); // setNavigationBarTitle
  assert.equal(await pushed(f).count(), 1);
  assert.equal(await f.locator('.mp-tabbar').isVisible(), false, 'no tabBar on a non-tab page');
  await p.locator('#add-to-cart').click();
  await hasText(f.locator('.mp-toast .mp-toast-title'), '已加入购物车');
  await p.locator('#add-to-cart').click();
  await hasText(p.locator('#detail-cart-count'), '2');
  await shot('shop', '2-detail');

  // navigateBack: the index again, with the cart badge (setTabBarBadge) on tab 2.
  await f.locator('.mp-back').click();
  await pushed(f).waitFor({ state: 'detached' });
  await hasText(tabs.nth(2).locator('.mp-badge'), '2');
  assert.equal(await tabs.nth(0).locator('.mp-badge').count(), 0);
  await shot('shop', '3-badge');

  // Cart tab.
  await tabs.nth(2).click();
  p = top(f);
  await hasText(p.locator('#count-102'), '2');
  await hasText(p.locator('#cart-total'), '¥91.80');
  await p.locator('#inc-102').click();
  await hasText(p.locator('#count-102'), '3');
  await hasText(p.locator('#cart-total'), '¥137.70');
  await hasText(tabs.nth(2).locator('.mp-badge'), '3');
  // The summary bar (position: fixed; bottom: 0) sits right above the tabBar, as in WeChat.
  const barBottom = await p.locator('.summary').evaluate((e) => e.getBoundingClientRect().bottom);
  const tabTop = await f.locator('.mp-tabbar').evaluate((e) => e.getBoundingClientRect().top);
  assert.equal(barBottom, tabTop);
  await shot('shop', '4-cart');

  // Checkout enters the subpackage: its files are fetched now, once.
  assert.equal(fetched(orderService).length, 0, 'the order subpackage must not load before it is entered');
  await p.locator('#checkout').click();
  p = top(f);
  await p.locator('#confirm-item-102').waitFor();
  await hasText(p.locator('#order-total'), '¥137.70');
  assert.equal(fetched(orderService).length, 1);
  // Submitting without an address is refused.
  await p.locator('#submit-order').click();
  await hasText(f.locator('.mp-toast .mp-toast-title'), '请填写收货地址');
  await p.locator('#address input').fill('上海市徐汇区 1 号');
  await shot('shop', '5-confirm');
  await p.locator('#submit-order').click();
  // redirectTo the order list: the stack is cart, list.
  p = top(f);
  await p.locator('#order-0').waitFor();
  assert.match(await p.locator('#order-0').textContent(), /烟台红富士苹果 10个 ×3[\s\S]*¥137.70/);
  assert.equal(await pushed(f).count(), 1);
  await f.locator('.mp-back').click();
  p = top(f);
  await p.locator('#cart-empty').waitFor();
  await tabs.nth(2).locator('.mp-badge').waitFor({ state: 'detached' });

  // Mine → my orders: the subpackage is already there.
  await tabs.nth(3).click();
  p = top(f);
  await hasText(p.locator('#order-count'), '1');
  await p.locator('#my-orders').click();
  await top(f).locator('#order-0').waitFor();
  assert.equal(fetched(orderService).length, 1, 'the subpackage is fetched once');
  await f.locator('.mp-back').click();
  await tabs.nth(0).click();

  // The page stack holds ten pages; the eleventh navigateTo fails with WeChat's errMsg.
  p = top(f);
  await p.locator('#product-101').click();
  // The stack: the index tab, then detail pages.
  for (let n = 1; n < 9; n++) {
    p = top(f);
    await p.locator('#detail-title').waitFor();
    const next = (await p.locator('#detail-title').textContent()).startsWith('赣南') ? 102 : 101;
    await p.locator(`#related-${next}`).click();
    await pushed(f).nth(n).waitFor();
  }
  assert.equal(await pushed(f).count(), 9);
  p = top(f);
  await p.locator('.related-item').first().click();
  await hasText(p.locator('#nav-error'), 'navigateTo:fail webview count limit exceed');
  await hasText(f.locator('.mp-toast .mp-toast-title'), '打开的页面太多了');
  assert.equal(await pushed(f).count(), 9);
  await shot('shop', '6-page-limit');

  // Second launch (a full reload, then the subpackage again): every package
  // file comes from the HTTP cache.
  const before = net.seen.length;
  await page.reload();
  f = await visibleFrame();
  await top(f).locator('#product-106').waitFor();
  await f.waitForFunction(() => [...document.querySelectorAll('.mp-tabbar img')].every((i) => i.complete && i.naturalWidth > 0));
  await f.locator('.mp-tabbar .mp-tab-item').nth(3).click();
  await top(f).locator('#my-orders').click();
  await top(f).locator('#order-0').waitFor();
  const again = net.seen.slice(before);
  assert.ok(again.some((r) => r.hash === mainService) && again.some((r) => r.hash === orderService), JSON.stringify(again));
  assert.deepEqual(
    again.filter((r) => !r.cached).map((r) => r.url),
    [],
    'a second launch downloads no package file',
  );
  await net.cdp.detach();
});

test('shop: 我的 preloads the order subpackage (preloadRule), so entering it fetches nothing more', async () => {
  const launch = await launchInfo('shop');
  const orderService = launch.manifest.packages.find((p) => p.root === 'packageOrder/').files['service.js'];
  const net = await watchPackageFiles();
  const fetched = () => net.seen.filter((r) => r.hash === orderService);
  const f = await open('shop');
  await top(f).locator('#product-106').waitFor();
  assert.equal(fetched().length, 0);
  await f.locator('.mp-tabbar .mp-tab-item').nth(3).click();
  await top(f).locator('#my-orders').waitFor();
  // Requested once 我的 is ready, before anything enters the subpackage.
  for (let i = 0; i < 100 && !(fetched().length === 1 && fetched()[0].done); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(fetched().length, 1, 'the order subpackage is preloaded');
  assert.ok(fetched()[0].done);
  await top(f).locator('#my-orders').click();
  await top(f).locator('#order-0, #orders-empty').first().waitFor();
  assert.equal(fetched().length, 1, 'entering it fetched nothing more');
  await net.cdp.detach();
});

test('shop: a subpackage that cannot be fetched fails the navigation and leaves the page; a retry enters it', async () => {
  const launch = await launchInfo('shop');
  const orderService = launch.manifest.packages.find((p) => p.root === 'packageOrder/').files['service.js'];
  const broken = new RegExp(`/mp/pkg/${orderService}`);
  let refused = 0;
  // The HTTP cache may hold it from an earlier test: the route answers first.
  await page.route(broken, (route) => (refused++, route.fulfill({ status: 404, body: 'gone' })));
  const f = await open('shop');
  await top(f).locator('#product-106').waitFor();
  await f.locator('.mp-tabbar .mp-tab-item').nth(3).click();
  await top(f).locator('#my-orders').click();
  // The preload and the navigation both failed: still on 我的, nothing shown by the shell.
  for (let i = 0; i < 100 && refused < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(refused >= 1);
  await top(f).locator('#my-orders').waitFor();
  assert.equal(await pushed(f).count(), 0, 'no page was pushed');
  assert.equal(await page.getByTestId('mp-frame-error').count(), 0);
  await page.unroute(broken);
  await top(f).locator('#my-orders').click();
  await top(f).locator('#order-0, #orders-empty').first().waitFor();
  await f.locator('.mp-back').click();
  await top(f).locator('#my-orders').waitFor();
  // The failures were logged by the mini program's navigation, as in WeChat's console.
  for (let i = problems.length - 1; i >= 0; i--) if (/loadSubpackage|packageOrder|404/.test(problems[i])) problems.splice(i, 1);
});

test('components: lifecycle order, slots, relations, triggerEvent bubbles/composed, selectComponent, externalClasses, apply-shared, observers', async () => {
  const f = await open('components');
  const p = top(f);
  await p.locator('#log-text', { hasText: 'page.onReady' }).waitFor();
  const logOf = async () => (await p.locator('#log-text').textContent()).split(',');
  const log = await logOf();
  const at = (entry) => {
    const i = log.indexOf(entry);
    assert.ok(i >= 0, `${entry} missing from ${log.join(',')}`);
    return i;
  };
  const before = (a, b) => assert.ok(at(a) < at(b), `${a} before ${b} in ${log.join(',')}`);
  // Each entry also has its own line.
  assert.equal(await p.locator('#log > .log-line').count(), log.length);
  assert.equal((await p.locator('#log-0').textContent()).trim(), '0. ' + log[0]);

  before('page.onLoad', 'page.onShow');
  before('page.onShow', 'page.onReady');
  for (const c of ['card', 'list']) {
    before(`${c}.created`, `${c}.attached`);
    before(`${c}.attached`, 'page.onLoad');
    before('page.onShow', `${c}.ready`);
    before(`${c}.ready`, 'page.onReady');
  }
  // list-item logs "list-item.created" (no label yet), then with its label.
  assert.equal(log.filter((e) => e === 'list-item.created').length, 2);
  for (const label of ['苹果', '香蕉']) {
    assert.ok(log.indexOf('list-item.created') < at(`list-item:${label}.attached`));
    before(`list-item:${label}.attached`, 'page.onLoad');
    before('page.onShow', `list-item:${label}.ready`);
    before(`list-item:${label}.ready`, 'page.onReady');
    for (const linked of [`list.linked:${label}`, `list-item:${label}.linked`]) {
      assert.ok(at(linked) > at('list.attached') && at(linked) > at(`list-item:${label}.attached`), `${linked} after both attached`);
    }
  }
  // The title observer ran for the owner's value.
  at('card.observer:title=卡片');
  assert.ok(!log.includes('page.onHide'));

  // Slots: each in its place in card's template; the default one holds the WXS date.
  const card = p.locator('#card-a');
  assert.equal(await card.locator('.card-header #slot-header').count(), 1);
  assert.equal(await card.locator('.card-body #slot-default').count(), 1);
  assert.equal(await card.locator('.card-footer #slot-footer').count(), 1);
  assert.match(await p.locator('#slot-default').textContent(), /发布于 2023-11-15/);
  // Header slot after the title and the badge, footer slot before the chip.
  const headerOrder = await card.locator('.card-header').evaluate((e) => [...e.querySelectorAll('#card-title, #card-badge, #slot-header')].map((n) => n.id));
  assert.deepEqual(headerOrder, ['card-title', 'card-badge', 'slot-header']);

  // externalClasses: the page's title-red colours the card's title; the card's own font-size stays.
  assert.equal(await p.locator('#card-title').evaluate((e) => getComputedStyle(e).color), 'rgb(228, 57, 60)');
  assert.equal(await p.locator('#card-title').evaluate((e) => getComputedStyle(e).fontWeight), '700');
  // apply-shared: the page's .shared-hint reaches the card, not the isolated list-item.
  assert.equal(await p.locator('#card-behavior').textContent(), 'logger');
  assert.equal(await p.locator('#card-behavior').evaluate((e) => getComputedStyle(e).fontStyle), 'italic');
  assert.equal(await p.locator('#item-shared-1').evaluate((e) => getComputedStyle(e).fontStyle), 'normal');
  assert.equal(await p.locator('#page-shared').evaluate((e) => getComputedStyle(e).fontStyle), 'italic');
  // The page's .slot-header reaches slotted content (it belongs to the page).
  assert.equal(await p.locator('#slot-header').evaluate((e) => getComputedStyle(e).color), 'rgb(87, 107, 149)');

  // Relations and WXS in list-item.
  await hasText(p.locator('#list-count'), '共 2 项');
  await hasText(p.locator('#item-price-1'), '¥3.50');
  await hasText(p.locator('#item-price-2'), '¥12.99');
  await hasText(p.locator('#card-summary'), '卡片(1)');
  await shot('components', '1-loaded');

  // selectComponent → the list's method → its relation nodes.
  await p.locator('#btn-select').click();
  await hasText(p.locator('#child-labels'), '苹果,香蕉');

  // triggerEvent: composed + bubbles reaches the page; bubbles only stays in the card.
  await p.locator('#card-chip').click();
  await hasText(p.locator('#last-event'), 'chiptap:标签');
  await hasText(p.locator('#card-chip-local'), 'chiplocal×1');
  await p.locator('#card-action').click();
  await hasText(p.locator('#last-event'), 'action:卡片');
  await p.locator('#card-chip').click();
  await hasText(p.locator('#card-chip-local'), 'chiplocal×2');
  await hasText(p.locator('#last-event'), 'chiptap:标签');
  // Bubbling out of list-item through list's slot to #list-wrap.
  await p.locator('#item-2').click();
  await hasText(p.locator('#last-event'), 'itemtap:2:香蕉');
  await shot('components', '2-events');

  // Property changes, data observers with paths and '**'.
  await p.locator('#btn-badge').click();
  await hasText(p.locator('#card-summary'), '卡片(2)');
  await hasText(p.locator('#card-badge'), '2');
  await p.locator('#btn-rename').click();
  await p.locator('#card-summary').filter({ hasText: /^卡片\d+\(2\)$/ }).waitFor();
  const newTitle = (await p.locator('#card-title').textContent()).trim();
  await p.locator('#log-text', { hasText: `card.observer:title=${newTitle}` }).waitFor();
  await p.locator('#btn-price').click();
  await hasText(p.locator('#item-price-1'), '¥4.50');
  await hasText(p.locator('#stats-json'), '{"count":0,"tags":["新"]}');
  // Once, for the initial value: the page's later setData calls (the log) do not touch info.
  await hasText(p.locator('#stats-deep-hits'), '1');
  const hits = 1;
  await hasText(p.locator('#stats-first-tag'), '新');
  await p.locator('#btn-set-count').click();
  await hasText(p.locator('#stats-json'), '{"count":1,"tags":["新"]}');
  await hasText(p.locator('#stats-deep-hits'), String(hits + 1));
  await hasText(p.locator('#stats-sum'), '1');
  await p.locator('#btn-set-tag').click();
  await hasText(p.locator('#stats-first-tag'), '标签1');
  await hasText(p.locator('#stats-deep-hits'), String(hits + 2));
  await p.locator('#btn-extra').click();
  await hasText(p.locator('#stats-sum'), '11');
  await hasText(p.locator('#stats-deep-hits'), String(hits + 2));

  // Remove the last item: detached and the unlinked pair; add one: linked.
  await p.locator('#btn-remove-item').click();
  await hasText(p.locator('#list-count'), '共 1 项');
  let now = await logOf();
  const tail = now.slice(log.length);
  for (const e of ['list-item:香蕉.detached', 'list.unlinked:香蕉', 'list-item:香蕉.unlinked']) assert.ok(tail.includes(e), `${e} in ${tail}`);
  await p.locator('#btn-add-item').click();
  await hasText(p.locator('#list-count'), '共 2 项');
  await p.locator('#log-text', { hasText: 'list.linked:商品3' }).waitFor();
  await hasText(p.locator('#item-price-3'), '¥3.00');
  await p.locator('#btn-select').click();
  await hasText(p.locator('#child-labels'), '苹果,商品3');
  await shot('components', '3-changed');

  // Another page: page.onHide and the card's pageHide; back: onShow and pageShow.
  const count = (await logOf()).length;
  await p.locator('#btn-other').click();
  await hasText(top(f).locator('#other-card .title'), '来自 index');
  await shot('components', '4-other-page');
  await top(f).locator('#btn-back').click();
  await p.locator('#log-text', { hasText: 'card.pageShow' }).waitFor();
  // (The other page's own card logs as "card" too: created … pageShow, detached on the way back.)
  const added = (await logOf()).slice(count);
  const hide = added.indexOf('page.onHide');
  assert.deepEqual(added.slice(hide, hide + 2), ['page.onHide', 'card.pageHide'], added.join(','));
  const detached = added.indexOf('card.detached');
  assert.ok(detached > hide, added.join(','));
  assert.deepEqual(added.slice(detached + 1).sort(), ['card.pageShow', 'page.onShow'], added.join(','));
});

/**
 * Turns a wheel (a picker sheet column or a picker-view-column: a scroll
 * container of equal rows) to the row labelled label by dragging it with
 * the mouse, as a person would, and waits until it settled there.
 */
async function turnWheel(column, label, rows) {
  const labels = (await rows.allTextContents()).map((t) => t.trim());
  const target = labels.indexOf(label);
  assert.ok(target >= 0, `${label} in ${labels}`);
  const rowHeight = await rows.first().evaluate((e) => e.getBoundingClientRect().height);
  const box = await column.boundingBox();
  const x = box.x + box.width / 2;
  const pg = column.page();
  // Drags of at most the column's height, from the edge the rows move away from.
  for (let n = 0; n < 10; n++) {
    const current = await column.evaluate((e, rh) => Math.round(e.scrollTop / rh), rowHeight);
    if (current === target) break;
    const reach = Math.floor((box.height - 20) / rowHeight);
    const rows = Math.max(-reach, Math.min(reach, target - current));
    const y0 = rows > 0 ? box.y + box.height - 10 : box.y + 10;
    await pg.mouse.move(x, y0);
    await pg.mouse.down();
    for (let i = 1; i <= 8; i++) await pg.mouse.move(x, y0 - (rows * rowHeight * i) / 8);
    await pg.mouse.up();
    // Wait for it to settle on a row.
    await column.evaluate(
      (e, rh) =>
        new Promise((resolve) => {
          let last = -1;
          let still = 0;
          let frames = 0;
          (function check() {
            if (e.scrollTop === last && Math.abs(e.scrollTop / rh - Math.round(e.scrollTop / rh)) < 0.05) still++;
            else still = 0;
            last = e.scrollTop;
            if (still > 10 || ++frames > 600) resolve();
            else requestAnimationFrame(check);
          })();
        }),
      rowHeight,
    );
  }
  await column.evaluate(
    (e, [rh, t]) =>
      new Promise((resolve, reject) => {
        const end = Date.now() + 5000;
        (function check() {
          if (Math.abs(e.scrollTop - t * rh) < 1) setTimeout(resolve, 200);
          else if (Date.now() > end) reject(new Error(`wheel at ${e.scrollTop}, wanted ${t * rh}`));
          else requestAnimationFrame(check);
        })();
      }),
    [rowHeight, target],
  );
}

/** Opens the picker, turns each column of its bottom sheet to labels[c], confirms. */
async function pick(f, picker, labels) {
  await picker.click();
  const sheet = f.locator('.wx-picker-root.wx-picker-open');
  await sheet.waitFor();
  // Let it finish sliding up.
  await sheet.locator('.wx-picker-sheet').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
  for (const [c, label] of labels.entries()) {
    const col = sheet.locator('.wx-picker-column').nth(c);
    await turnWheel(col, label, col.locator('.wx-picker-item'));
  }
  return sheet;
}

test('form: every field filled by hand, submit gives the expected detail.value, reset clears', async () => {
  const f = await open('form');
  const p = top(f);
  await p.locator('#f-name input').waitFor();
  await hasText(p.locator('#city-text'), '北京');
  await hasText(p.locator('#meal-text'), '午餐 · 饺子');
  await hasText(p.locator('#date-text'), '2024-05-20');
  await hasText(p.locator('#time-text'), '12:30');
  await hasText(p.locator('#region-text'), '广东省 广州市 海珠区');
  await hasText(p.locator('#pv-text'), '2024-1');
  await hasText(p.locator('#switch-text'), '开');
  await shot('form', '1-initial');

  await p.locator('#f-name input').fill('张三');
  await p.locator('#f-age input').fill('28');
  await p.locator('#f-height input').fill('175.5');
  await p.locator('#f-password input').fill('secret88');
  assert.equal(await p.locator('#f-password input').getAttribute('type'), 'password');
  await p.locator('#f-bio textarea').fill('喜欢跑步\n也喜欢音乐');

  // Checkboxes and radios through their labels' boxes.
  await p.locator('#hobby-run').click();
  await p.locator('#hobby-music').click();
  await p.locator('#hobby-read').click();
  await p.locator('#gender-f').click();
  await p.locator('#f-agree').click();
  await hasText(p.locator('#switch-text'), '关');

  // Slider: drag the thumb from 6 to 9 (of 0–10).
  const track = await p.locator('#f-score .wx-slider-track').boundingBox();
  const thumb = await p.locator('#f-score .wx-slider-thumb').boundingBox();
  await page.mouse.move(thumb.x + thumb.width / 2, thumb.y + thumb.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 5; i++) await page.mouse.move(thumb.x + thumb.width / 2 + ((track.x + track.width * 0.9 - (thumb.x + thumb.width / 2)) * i) / 5, thumb.y + thumb.height / 2);
  await page.mouse.up();
  await hasText(p.locator('#f-score .wx-slider-value'), '9');

  // Pickers: the bottom sheet, one wheel per column.
  let sheet = await pick(f, p.locator('#f-city'), ['深圳']);
  await shot('form', '2-picker-sheet');
  await sheet.locator('.wx-picker-confirm').click();
  await hasText(p.locator('#city-text'), '深圳');
  // Cancel keeps the old value.
  sheet = await pick(f, p.locator('#f-city'), ['上海']);
  await sheet.locator('.wx-picker-cancel').click();
  await sheet.waitFor({ state: 'detached' });
  await hasText(p.locator('#city-text'), '深圳');

  sheet = await pick(f, p.locator('#f-meal'), ['晚餐', '米饭']);
  // bindcolumnchange already moved the page's mealIndex.
  await hasText(p.locator('#meal-text'), '晚餐 · 米饭');
  await sheet.locator('.wx-picker-confirm').click();
  await sheet.waitFor({ state: 'detached' });

  sheet = await pick(f, p.locator('#f-date'), ['2026年', '2月', '14日']);
  await sheet.locator('.wx-picker-confirm').click();
  await hasText(p.locator('#date-text'), '2026-02-14');
  await sheet.waitFor({ state: 'detached' });

  sheet = await pick(f, p.locator('#f-time'), ['18', '45']);
  await sheet.locator('.wx-picker-confirm').click();
  await hasText(p.locator('#time-text'), '18:45');
  await sheet.waitFor({ state: 'detached' });

  sheet = await pick(f, p.locator('#f-region'), ['浙江省', '杭州市', '西湖区']);
  await shot('form', '3-region-sheet');
  await sheet.locator('.wx-picker-confirm').click();
  await hasText(p.locator('#region-text'), '浙江省 杭州市 西湖区');
  await sheet.waitFor({ state: 'detached' });

  // picker-view: embedded wheels.
  const pvCols = p.locator('#f-pv wx-picker-view-column');
  await turnWheel(pvCols.nth(0), '2020年', pvCols.nth(0).locator('.pv-item'));
  await turnWheel(pvCols.nth(1), '7月', pvCols.nth(1).locator('.pv-item'));
  await hasText(p.locator('#pv-text'), '2020-7');

  await p.locator('#submit').click();
  await hasText(p.locator('#submit-count'), '1');
  const result = JSON.parse(await p.locator('#result').textContent());
  assert.deepEqual(result, {
    name: '张三',
    age: '28',
    height: '175.5',
    password: 'secret88',
    bio: '喜欢跑步\n也喜欢音乐',
    hobbies: ['run', 'music'],
    gender: 'f',
    subscribe: false,
    score: 9,
    city: 3,
    meal: [2, 0],
    date: '2026-02-14',
    time: '18:45',
    region: ['浙江省', '杭州市', '西湖区'],
    yearMonth: '2020-7',
  });
  await p.locator('#result').scrollIntoViewIfNeeded();
  await shot('form', '4-submitted');

  // Reset: the fields are cleared, the page's onReset restores its pickers' data.
  await p.locator('#reset').click();
  await hasText(p.locator('#reset-count'), '重置 1 次');
  assert.equal((await p.locator('#result').textContent()).trim(), '');
  for (const id of ['f-name', 'f-age', 'f-height', 'f-password']) assert.equal(await p.locator(`#${id} input`).inputValue(), '', id);
  assert.equal(await p.locator('#f-bio textarea').inputValue(), '');
  await hasText(p.locator('#city-text'), '北京');
  await hasText(p.locator('#region-text'), '广东省 广州市 海珠区');
  await hasText(p.locator('#pv-text'), '2024-1');
  await p.locator('#submit').click();
  await hasText(p.locator('#submit-count'), '2');
  const after = JSON.parse(await p.locator('#result').textContent());
  assert.deepEqual(
    [after.name, after.bio, after.city, after.date, after.time, after.region, after.meal, after.yearMonth],
    ['', '', 0, '2024-05-20', '12:30', ['广东省', '广州市', '海珠区'], [1, 2], '2024-1'],
  );
  await p.locator('#f-name').scrollIntoViewIfNeeded();
  await shot('form', '5-reset');
});

test('news: swiper autoplay, onReachBottom paging, onPageScroll + pageScrollTo, pull-down refresh, scroll-into-view, rich-text detail', async () => {
  const f = await open('news');
  let p = top(f);
  await hasText(p.locator('#loaded-count'), '10');
  await hasText(p.locator('#page-no'), '1');
  await hasText(p.locator('#load-hint'), '上拉加载更多');
  // data/cities.js is a data literal over 64 KiB: pack ships it as a data
  // file the logic layer gets beside service.js and reads with __data.
  await hasText(p.locator('#city-count'), '1240');
  assert.equal(await p.locator('#news-list > wx-navigator').count(), 10);
  await hasText(p.locator('#news-hot-1 .news-title'), '热点新闻第 1 条：这是一条用于测试的标题');
  await hasText(p.locator('#banner-current'), '1');
  await shot('news', '1-home');

  // The swiper advances by itself (autoplay, interval 3 s) and tells the page (bindchange).
  await p.locator('#banner-current', { hasText: /^2$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await p.locator('#banner wx-swiper-item').count(), 3);

  // Scrolling to the bottom: onReachBottom loads page 2; past 600 px onPageScroll shows the button.
  const page0 = await p.evaluate((e) => e.scrollTop);
  assert.equal(page0, 0);
  const box = await p.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 4000);
  await hasText(p.locator('#loaded-count'), '20');
  await hasText(p.locator('#page-no'), '2');
  assert.equal(await p.locator('#news-list > wx-navigator').count(), 20);
  await p.locator('#news-hot-20').waitFor();
  // A little further (not to the bottom, which would load page 3).
  await page.mouse.wheel(0, 500);
  await p.locator('#back-to-top').waitFor();
  assert.ok((await p.evaluate((e) => e.scrollTop)) > 600);
  await hasText(p.locator('#page-no'), '2');
  await shot('news', '2-page-two');
  // Tap it: pageScrollTo(0), and the button goes away again.
  await p.locator('#back-to-top').click();
  await p.locator('#back-to-top').waitFor({ state: 'detached' });
  await f.waitForFunction(() => document.querySelector('.mp-page:not(.mp-hidden)').scrollTop === 0);

  // Pull-down refresh with the mouse: onPullDownRefresh reloads page 1, then stopPullDownRefresh.
  const from = await p.locator('.banner-state').boundingBox();
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x, y + 30 * i);
  await shot('news', '3-pull-down');
  await page.mouse.up();
  await hasText(p.locator('#refresh-count'), '1');
  await hasText(p.locator('#loaded-count'), '10');
  await hasText(p.locator('#page-no'), '1');
  // The refresh indicator closes.
  await f.waitForFunction(() => {
    const ptr = document.querySelector('.mp-page:not(.mp-hidden)').shadowRoot.querySelector('.mp-ptr');
    return ptr.getBoundingClientRect().height === 0;
  });

  // Category bar: a tap selects and scrolls the bar (scroll-into-view); the list is the new category's.
  const bar = p.locator('#category-bar');
  await p.locator('#cat-car').click();
  await p.locator('#cat-car.active').waitFor();
  await p.locator('#news-car-1').waitFor();
  assert.equal(await p.locator('#news-hot-1').count(), 0);
  await f.waitForFunction(() => {
    const root = document.querySelector('.mp-page:not(.mp-hidden)').shadowRoot;
    const scroller = [root.querySelector('#category-bar'), ...root.querySelectorAll('#category-bar *')].find((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible');
    return scroller && scroller.scrollLeft > 0;
  });
  assert.ok(bar);
  await shot('news', '4-category');

  // Detail: rich-text from an HTML string and from a node array; open-type="share".
  await p.locator('#news-car-2').click();
  p = top(f);
  await hasText(p.locator('#detail-title'), '汽车新闻第 2 条：这是一条用于测试的标题');
  const content = p.locator('#detail-content');
  await hasText(content.locator('h2'), '汽车新闻第 2 条：这是一条用于测试的标题');
  assert.equal(await content.locator('p').first().evaluate((e) => getComputedStyle(e).color), 'rgb(102, 102, 102)');
  await hasText(content.locator('strong'), '重点');
  assert.deepEqual(await content.locator('ul > li').allTextContents(), ['第一点', '第二点']);
  const img = content.locator('img');
  await f.waitForFunction(() => {
    const i = document.querySelector('.mp-page:not(.mp-hidden)').shadowRoot.querySelector('#detail-content img');
    return i && i.complete && i.naturalWidth > 0;
  });
  assert.equal(await img.evaluate((e) => Math.round(e.getBoundingClientRect().width)), 96);
  assert.equal(await content.locator('script, [onerror]').count(), 0);
  const note = p.locator('#detail-note .note-box');
  await hasText(note, '本文由本地数据生成，仅供测试。');
  assert.equal(await note.evaluate((e) => getComputedStyle(e).fontSize), '24px');
  // A plain mouse click: locator.click() would first scroll the page a little.
  const share = await p.locator('#share-btn').boundingBox();
  await page.mouse.click(share.x + share.width / 2, share.y + share.height / 2);
  await hasText(p.locator('#share-info'), 'button:/pages/detail/detail?id=car-2');
  await shot('news', '5-detail');
});

test('background survival through the shell: chats and back within five minutes keeps the run (onHide/onShow), after five minutes a cold start', async () => {
  await page.clock.install();
  let f = await open('components');
  let p = top(f);
  await p.locator('#log-text', { hasText: 'page.onReady' }).waitFor();
  await p.locator('#btn-badge').click();
  await hasText(p.locator('#card-summary'), '卡片(2)');
  const logLength = (await p.locator('#log-text').textContent()).split(',').length;

  // Leave for the chats tab, come back through Discover's recent list.
  await page.getByTestId('mp-close').click();
  await page.getByTestId('tab-chats').click();
  await page.waitForURL(/\/chats$/);
  await shot('components', '5-background-chats');
  await page.getByTestId('tab-discover').click();
  await page.locator(`[data-testid=mp-recent][data-appid="${appids.components}"]`).click();
  f = await visibleFrame();
  p = top(f);
  await p.locator('#log-text', { hasText: 'card.pageShow,page.onShow' }).or(p.locator('#log-text', { hasText: 'page.onShow,card.pageShow' })).last().waitFor();
  const added = (await p.locator('#log-text').textContent()).split(',').slice(logLength);
  assert.deepEqual(added.filter((e) => /^page\.on(Hide|Show)$/.test(e)), ['page.onHide', 'page.onShow'], added.join(','));
  assert.ok(added.includes('card.pageHide') && added.includes('card.pageShow'), added.join(','));
  await hasText(p.locator('#card-summary'), '卡片(2)');

  // Five minutes and a second in the background: the frame is gone; the next open starts cold.
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await page.clock.fastForward('05:01');
  await page.waitForFunction(() => !document.querySelector('[data-testid=mp-frame]'));
  await page.locator(`[data-testid=mp-recent][data-appid="${appids.components}"]`).click();
  f = await visibleFrame();
  p = top(f);
  await p.locator('#log-text', { hasText: 'page.onReady' }).waitFor();
  await hasText(p.locator('#card-summary'), '卡片(1)');
  assert.ok(!(await p.locator('#log-text').textContent()).includes('page.onHide'));
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
