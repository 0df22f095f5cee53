// Subpackages: a failed download fails the navigation and leaves the stack
// alone (retry works); preloadRule fetches subpackages once a page is ready.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

const SUB_SERVICE = `define("sub/p/p.js", function (require, module, exports) {
  Page({ onLoad() { getApp().log.push('P.onLoad'); } });
});`;

function subApp(log, answer, extra = {}) {
  return {
    app: { pages: ['pages/index/index', 'pages/other/other'], subpackages: [{ root: 'sub/', name: 'subby', pages: ['sub/p/p'] }], ...extra },
    pages: { 'sub/p/p': { package: 'sub/' } },
    manifest: (m) => m.packages.push({ root: 'sub/', name: 'subby', files: {}, size: 1 }),
    modules: {
      'app.js': (r, m, e, g) => g.App({ log }),
      'pages/index/index.js': (r, m, e, g) =>
        g.Page({
          onShow: () => log.push('A.onShow'),
          onHide: () => log.push('A.onHide'),
          onUnload: () => log.push('A.onUnload'),
          onReady: () => log.push('A.onReady'),
        }),
      'pages/other/other.js': (r, m, e, g) => g.Page({}),
    },
    templates: {
      'pages/index/index.wxml': () => [h('view', { id: 'a' }, 'A')],
      'pages/other/other.wxml': () => [h('view', {}, 'O')],
      'sub/p/p.wxml': () => [h('view', { id: 'p' }, 'P')],
    },
    answer,
  };
}

/** Runs an API call to its end while the fake view answers. */
async function settled(view, p) {
  const outcome = p.then((r) => ({ ok: true, r }), (e) => ({ ok: false, e }));
  await view.pump();
  return outcome;
}

test('a subpackage that cannot be fetched fails navigateTo and redirectTo without touching the stack; a retry loads it', async () => {
  const log = [];
  let failing = true;
  const { view, wx } = await start(
    subApp(log, (name) => {
      if (name !== 'package.load') return undefined;
      if (failing) throw new Error('the server answered 500');
      return SUB_SERVICE;
    }),
  );
  log.length = 0;
  const nav = await settled(view, wx.navigateTo({ url: '/sub/p/p' }));
  assert.equal(nav.ok, false);
  assert.match(nav.e.errMsg, /^navigateTo:fail loadSubpackage: sub\/ .*500/);
  assert.deepEqual(log, [], 'the current page is neither hidden nor unloaded');
  assert.equal(view.stack.length, 1);
  assert.equal(view.top().route, 'pages/index/index');

  const red = await settled(view, wx.redirectTo({ url: '/sub/p/p' }));
  assert.equal(red.ok, false);
  assert.match(red.e.errMsg, /^redirectTo:fail loadSubpackage: sub\//);
  assert.deepEqual(log, []);
  assert.equal(view.top().route, 'pages/index/index');

  // The navigations after a failure still run (the queue is not stuck).
  failing = false;
  const again = await settled(view, wx.navigateTo({ url: '/sub/p/p' }));
  assert.equal(again.ok, true, JSON.stringify(again.e));
  assert.deepEqual(log, ['A.onHide', 'P.onLoad']);
  assert.equal(view.stack.length, 2);
  assert.equal(view.top().route, 'sub/p/p');
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 3);
});

test('preloadRule: once the page is ready its subpackages (by name) are fetched, not evaluated; "wifi" counts as any network', async () => {
  const log = [];
  const { view } = await start(
    subApp(log, () => null, { preloadRule: { 'pages/index/index': { network: 'wifi', packages: ['subby'] }, 'pages/other/other': { packages: ['sub/'] } } }),
  );
  assert.ok(log.includes('A.onReady'));
  const preloads = view.calls.filter((c) => c.name === 'package.preload');
  assert.deepEqual(preloads.map((c) => c.args), [['sub/']]);
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 0);
});

test('preloadRule of a page that is not open preloads nothing', async () => {
  const { view } = await start(subApp([], () => null, { preloadRule: { 'pages/other/other': { packages: ['sub/'] } } }));
  assert.equal(view.calls.filter((c) => c.name === 'package.preload').length, 0);
});

test('require.async and require(path, callback) load the subpackage a module lies in; a failed load rejects with the reason', async () => {
  const log = [];
  let loads = 0;
  let failing = true;
  const SUB_UTIL = `define("sub/util.js", function (require, module, exports) { exports.greet = (n) => 'hi ' + n; });`;
  let page;
  const { view } = await start({
    app: { pages: ['pages/index/index'], subpackages: [{ root: 'sub/', name: 'subby', pages: [] }] },
    manifest: (m) => m.packages.push({ root: 'sub/', name: 'subby', files: {}, size: 1 }),
    modules: {
      'app.js': (r, m, e, g) => g.App({}),
      'utils/main.js': (r, m, e) => (e.main = true),
      'pages/index/index.js': (r, m, e, g) => g.Page({ onLoad() { page = { require: r }; } }),
    },
    templates: { 'pages/index/index.wxml': () => [h('view', {}, 'A')] },
    answer: (name, root) => {
      if (name !== 'package.load') return undefined;
      loads++;
      if (failing) throw new Error('the server answered 500');
      assert.deepEqual([].concat(root), ['sub/']);
      return SUB_UTIL;
    },
  });
  // A module of the main package: no load.
  const main = await settled(view, page.require.async('../../utils/main'));
  assert.deepEqual([main.ok, main.r.main, loads], [true, true, 0]);
  // The subpackage cannot be fetched: rejected, and the callback form gets {mod, errMsg}.
  const failed = await settled(view, page.require.async('../../sub/util'));
  assert.equal(failed.ok, false);
  assert.match(String(failed.e.message), /500/);
  const viaCallback = new Promise((resolve) => page.require('../../sub/util.js', () => resolve('loaded'), (e) => resolve(e)));
  await view.pump();
  const err = await viaCallback;
  assert.equal(err.mod, '../../sub/util.js');
  assert.match(err.errMsg, /500/);
  // Then it can: loaded once, both forms get the exports.
  failing = false;
  const ok = await settled(view, page.require.async('/sub/util.js'));
  assert.equal(ok.ok, true, String(ok.e));
  assert.equal(ok.r.greet('x'), 'hi x');
  const again = new Promise((resolve) => page.require('../../sub/util', (mod) => resolve(mod.greet('y'))));
  await view.pump();
  assert.equal(await again, 'hi y');
  assert.equal(loads, 3, 'two failed loads, one that worked, none after');
  void log;
});
