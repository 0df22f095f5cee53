// Pages: rendering, setData, lifecycles and navigation of the logic layer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

function counterApp(log = []) {
  return {
    app: { pages: ['pages/index/index', 'pages/b/b'], window: { navigationBarTitleText: 'Demo' } },
    modules: {
      'app.js': (r, m, e, g) => g.App({ onLaunch: (o) => log.push('App.onLaunch:' + o.path), onShow: () => log.push('App.onShow') }),
      'pages/index/index.js': (r, m, e, g) =>
        g.Page({
          data: { n: 0, list: [] },
          onLoad: (q) => log.push('A.onLoad:' + JSON.stringify(q)),
          onShow: () => log.push('A.onShow'),
          onReady: () => log.push('A.onReady'),
          onHide: () => log.push('A.onHide'),
          onUnload: () => log.push('A.onUnload'),
          inc() {
            this.setData({ n: this.data.n + 1 }, () => log.push('cb:' + this.data.n));
          },
        }),
      'pages/b/b.js': (r, m, e, g) =>
        g.Page({
          onLoad: (q) => log.push('B.onLoad:' + JSON.stringify(q)),
          onShow: () => log.push('B.onShow'),
          onReady: () => log.push('B.onReady'),
          onHide: () => log.push('B.onHide'),
          onUnload: () => log.push('B.onUnload'),
        }),
    },
    templates: {
      'pages/index/index.wxml': (d) => [h('view', { id: 'btn', bindtap: 'inc', 'data-x': 1 }, `count ${d.n}`)],
      'pages/b/b.wxml': () => [h('text', {}, 'B')],
    },
  };
}

test('first render, tap → setData → DOM update, callback after ack', async () => {
  const log = [];
  const { view } = await start(counterApp(log));
  assert.equal(view.html(), '<view id="btn">count 0</view>');
  assert.deepEqual(view.byId('btn').attrs.$ev, ['tap']);
  await view.tap('btn');
  assert.equal(view.html(), '<view id="btn">count 1</view>');
  assert.ok(log.includes('cb:1'));
  assert.equal(view.top().window.navigationBarTitleText, 'Demo');
});

test('setData callback waits for the view to ack', async () => {
  const log = [];
  const { view } = await start(counterApp(log));
  view.autoAck = false;
  await view.tap('btn');
  assert.ok(!log.includes('cb:1'));
  for (const a of view.held.splice(0)) view.send({ t: 'acked', ack: a });
  await view.pump();
  assert.ok(log.includes('cb:1'));
});

test('launch order and navigation lifecycles', async () => {
  const log = [];
  const { view, wx, g } = await start(counterApp(log));
  assert.deepEqual(log, ['App.onLaunch:pages/index/index', 'App.onShow', 'A.onLoad:{}', 'A.onShow', 'A.onReady']);
  log.length = 0;
  const res = await wx.navigateTo({ url: '/pages/b/b?x=1&y=a%20b' });
  await view.pump();
  assert.equal(res.errMsg, 'navigateTo:ok');
  assert.deepEqual(log, ['A.onHide', 'B.onLoad:{"x":"1","y":"a%20b"}', 'B.onShow', 'B.onReady']);
  assert.equal(g.getCurrentPages().length, 2);
  assert.equal(g.getCurrentPages()[1].route, 'pages/b/b');
  assert.equal(view.html(), '<text>B</text>');
  log.length = 0;
  await wx.navigateBack();
  await view.pump();
  assert.deepEqual(log, ['B.onUnload', 'A.onShow']);
  assert.equal(view.pages.size, 1);
  log.length = 0;
  await wx.redirectTo({ url: '../b/b' });
  await view.pump();
  assert.deepEqual(log, ['A.onUnload', 'B.onLoad:{}', 'B.onShow', 'B.onReady']);
  log.length = 0;
  await wx.reLaunch({ url: '/pages/index/index?k=v' });
  await view.pump();
  assert.deepEqual(log, ['B.onUnload', 'A.onLoad:{"k":"v"}', 'A.onShow', 'A.onReady']);
});

test('navigation errors use WeChat errMsg strings', async () => {
  const { wx, view } = await start(counterApp());
  await assert.rejects(wx.navigateTo({ url: '/pages/nope/nope' }), { errMsg: 'navigateTo:fail page "pages/nope/nope" is not found' });
  await assert.rejects(wx.navigateBack(), { errMsg: 'navigateBack:fail cannot navigate back at first page.' });
  for (let i = 0; i < 9; i++) await wx.navigateTo({ url: '/pages/b/b' });
  await view.pump();
  let fail;
  const done = new Promise((r) => wx.navigateTo({ url: '/pages/b/b', fail: (e) => (fail = e), complete: r }));
  await done;
  assert.equal(fail.errMsg, 'navigateTo:fail webview count limit exceed');
  assert.equal(view.stack.length, 10);
});

test('setData data paths create intermediates', async () => {
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (r, m, e, g) => g.Page({ data: { a: {} }, onLoad() { page = this; } }) },
    templates: { 'p.wxml': (d) => [JSON.stringify(d.a) + '|' + JSON.stringify(d.list ?? null)] },
  });
  page.setData({ 'a.b[1].c': 5, 'list[2]': 'x', 'a.k\\.y': 1 });
  await view.pump();
  assert.equal(page.data.a.b.length, 2);
  assert.equal(JSON.stringify(page.data.a.b[1]), '{"c":5}');
  assert.equal(page.data.list.length, 3);
  assert.equal(page.data.list[2], 'x');
  assert.equal(page.data.a['k.y'], 1);
  assert.equal(view.html(), '{"b":[null,{"c":5}],"k.y":1}|[null,null,"x"]');
});

test('tabBar: switchTab keeps tab pages, closes the others', async () => {
  const log = [];
  const mk = (n) => (r, m, e, g) => g.Page({ onLoad: () => log.push(n + '.load'), onShow: () => log.push(n + '.show'), onHide: () => log.push(n + '.hide'), onUnload: () => log.push(n + '.unload') });
  const { wx, view } = await start({
    app: { pages: ['t1', 't2', 'o'], tabBar: { list: [{ pagePath: 't1', text: '1' }, { pagePath: 't2', text: '2' }] } },
    modules: { 't1.js': mk('t1'), 't2.js': mk('t2'), 'o.js': mk('o') },
    templates: { 't1.wxml': () => ['1'], 't2.wxml': () => ['2'], 'o.wxml': () => ['o'] },
  });
  await wx.navigateTo({ url: '/o' });
  log.length = 0;
  await wx.switchTab({ url: '/t2' });
  await view.pump();
  assert.deepEqual(log, ['o.unload', 't2.load', 't2.show']);
  log.length = 0;
  await wx.switchTab({ url: '/t1' });
  await view.pump();
  assert.deepEqual(log, ['t2.hide', 't1.show']);
  assert.equal(view.html(), '1');
  await assert.rejects(wx.navigateTo({ url: '/t2' }), { errMsg: 'navigateTo:fail can not navigateTo a tabbar page' });
  await assert.rejects(wx.switchTab({ url: '/o' }), { errMsg: 'switchTab:fail can not switch to no-tabBar page' });
});

test('keyed list: reorder moves nodes instead of recreating them', async () => {
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (r, m, e, g) => g.Page({ data: { list: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }, onLoad() { page = this; } }) },
    templates: { 'p.wxml': (d) => d.list.map((it) => h('view', { key: it.id, id: it.id }, it.id)) },
  });
  const ids = () => view.top().nodes.get(0).children.map((n) => n.id);
  const before = ids();
  page.setData({ list: [{ id: 'c' }, { id: 'a' }, { id: 'b' }] });
  await view.pump();
  assert.equal(view.html(), '<view id="c">c</view><view id="a">a</view><view id="b">b</view>');
  assert.deepEqual(ids(), [before[2], before[0], before[1]]);
  page.setData({ list: [{ id: 'b' }, { id: 'd' }] });
  await view.pump();
  assert.equal(view.html(), '<view id="b">b</view><view id="d">d</view>');
  assert.equal(ids()[0], before[1]);
});

test('module system: relative, absolute, miniprogram_npm, cycles', async () => {
  let got;
  await start({
    app: { pages: ['pages/p'] },
    modules: {
      'utils/a.js': (require, m, e) => {
        e.name = 'a';
        e.b = () => require('./b').name;
      },
      'utils/b.js': (require, m, e) => {
        e.name = 'b';
        e.aSeen = require('./a.js').name;
      },
      'miniprogram_npm/lib/index.js': (r, m) => {
        m.exports = { lib: true };
      },
      'pages/p.js': (require, m, e, g) => {
        const a = require('../utils/a');
        got = { b: a.b(), abs: require('/utils/b').aSeen, lib: require('lib').lib, same: require('../utils/a') === a };
        g.Page({});
      },
    },
    templates: { 'pages/p.wxml': () => [] },
  });
  assert.deepEqual(got, { b: 'b', abs: 'a', lib: true, same: true });
});

test('navigator widget event navigates; selector query goes to the view', async () => {
  const log = [];
  const { view, wx } = await start({
    ...counterApp(log),
    answer: (name, args) => (name === 'selectorQuery' ? args[0].map((r) => ({ sel: r.selector, fields: Object.keys(r.fields) })) : undefined),
  });
  const n = view.byId('btn');
  await view.event(n, 'navigate', { openType: 'navigate', url: '/pages/b/b?via=nav' });
  assert.ok(log.includes('B.onLoad:{"via":"nav"}'));
  let got;
  wx.createSelectorQuery().select('#from').boundingClientRect().exec((res) => (got = res));
  await view.pump();
  // The view named no node ($node): the logic layer has no dataset to add.
  assert.equal(JSON.stringify(got), '[{"sel":"#from","fields":["id","dataset","rect","size"],"dataset":{}}]');
});
