// Components: properties, observers, behaviors, slots, events, classes,
// relations, selectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

const json = (v) => JSON.parse(JSON.stringify(v));

test('properties: defaults, coercion, observer; lifetimes order', async () => {
  const log = [];
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { card: 'c/card' } } },
    components: { 'c/card': { styleScope: 's1' } },
    modules: {
      'c/card.js': (r, m, e, g) =>
        g.Component({
          properties: {
            title: String,
            n: { type: Number, value: 7, observer(nv, ov) { log.push(`n:${ov}->${nv}`); } },
            flag: Boolean,
            list: Array,
          },
          lifetimes: {
            created() { log.push('created'); },
            attached() { log.push('attached:' + this.data.title); },
            ready() { log.push('ready'); },
            detached() { log.push('detached'); },
          },
          attached() { log.push('top-level attached must be overridden'); },
        }),
      'p.js': (r, m, e, g) => g.Page({ data: { t: 'hi', show: true, num: '3' }, onLoad() { page = this; log.push('page.onLoad'); }, onReady: () => log.push('page.onReady') }),
    },
    templates: {
      'p.wxml': (d) => (d.show ? [h('card', { title: d.t, n: d.num, flag: 'false', class: 'x' })] : []),
      'c/card.wxml': (d) => [h('view', { class: 'box' }, `${d.title}/${d.n}/${d.flag}/${JSON.stringify(d.list)}`)],
    },
  });
  assert.deepEqual(log, ['created', 'n:7->3', 'attached:hi', 'page.onLoad', 'ready', 'page.onReady']);
  assert.equal(view.html(), '<card class="x" wx-host="s1"><view class="s1--box">hi/3/true/[]</view></card>');
  log.length = 0;
  page.setData({ t: 'yo', num: 'abc' });
  await view.pump();
  assert.equal(view.html(), '<card class="x" wx-host="s1"><view class="s1--box">yo/7/true/[]</view></card>');
  assert.deepEqual(log, ['n:3->7']);
  page.setData({ show: false });
  await view.pump();
  assert.deepEqual(log, ['n:3->7', 'detached']);
  assert.equal(view.html(), '');
});

test('observers: multi-field, sub-path, list[*].x, **', async () => {
  const log = [];
  let comp;
  await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { w: 'w' } } },
    components: { w: {} },
    modules: {
      'w.js': (r, m, e, g) =>
        g.Component({
          data: { a: 1, b: { c: 1, d: 1 }, list: [{ x: 1 }, { x: 2 }] },
          observers: {
            'a, b.c': (a, c) => log.push(`a,b.c=${a},${c}`),
            'list[*].x': (xs) => log.push('xs=' + JSON.stringify(xs)),
            'b.**': (b) => log.push('b**=' + JSON.stringify(b)),
            '**': () => log.push('all'),
          },
          attached() { comp = this; },
        }),
      'p.js': (r, m, e, g) => g.Page({}),
    },
    templates: { 'p.wxml': () => [h('w')], 'w.wxml': () => [] },
  });
  log.length = 0;
  comp.setData({ a: 2 });
  assert.deepEqual(log, ['a,b.c=2,1', 'all']);
  log.length = 0;
  comp.setData({ 'b.d': 5 });
  assert.deepEqual(log, ['b**={"c":1,"d":5}', 'all']);
  log.length = 0;
  comp.setData({ 'b.c': 3 });
  assert.deepEqual(log, ['a,b.c=2,3', 'b**={"c":3,"d":5}', 'all']);
  log.length = 0;
  comp.setData({ 'list[1].x': 9 });
  assert.deepEqual(log, ['xs=[1,9]', 'all']);
});

test('behaviors: merge order, data deep merge, lifetimes all run, hasBehavior', async () => {
  const log = [];
  let comp;
  let B1;
  await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { w: 'w' } } },
    components: { w: {} },
    modules: {
      'b.js': (r, m, e, g) => {
        const inner = g.Behavior({ data: { o: { x: 1, y: 1 } }, methods: { who: () => 'inner', only: () => 'inner-only' }, attached() { log.push('inner'); } });
        B1 = g.Behavior({ behaviors: [inner], data: { o: { y: 2 } }, methods: { who: () => 'b1' }, attached() { log.push('b1'); } });
        m.exports = B1;
      },
      'w.js': (require, m, e, g) =>
        g.Component({
          behaviors: [require('./b')],
          data: { o: { z: 3 } },
          attached() { log.push('own'); comp = this; },
        }),
      'p.js': (r, m, e, g) => g.Page({}),
    },
    templates: { 'p.wxml': () => [h('w')], 'w.wxml': () => [] },
  });
  assert.deepEqual(log, ['inner', 'b1', 'own']);
  assert.deepEqual(json(comp.data.o), { x: 1, y: 2, z: 3 });
  assert.equal(comp.who(), 'b1');
  assert.equal(comp.only(), 'inner-only');
  assert.equal(comp.hasBehavior(B1), true);
});

test('slots: default and named (multipleSlots), light content updates from the owner', async () => {
  let page;
  let one;
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { panel: 'panel', one: 'one' } } },
    components: { panel: { styleScope: 'P' }, one: { styleScope: 'O' } },
    modules: {
      'panel.js': (r, m, e, g) => g.Component({ options: { multipleSlots: true } }),
      'one.js': (r, m, e, g) => g.Component({ data: { on: true }, attached() { one = this; } }),
      'p.js': (r, m, e, g) => g.Page({ data: { msg: 'a' }, onLoad() { page = this; } }),
    },
    templates: {
      'p.wxml': (d) => [
        h('panel', {}, h('text', { slot: 'head' }, 'H'), h('view', {}, d.msg)),
        h('one', {}, h('text', {}, 'inside')),
      ],
      'panel.wxml': () => [h('view', { class: 'hd' }, h('slot', { name: 'head' })), h('view', { class: 'bd' }, h('slot', {}))],
      'one.wxml': (d) => (d.on ? [h('view', {}, h('slot', {}))] : [h('text', {}, 'off')]),
    },
  });
  assert.equal(
    view.html(),
    '<panel wx-host="P"><view class="P--hd"><slot><text>H</text></slot></view><view class="P--bd"><slot><view>a</view></slot></view></panel>' +
      '<one wx-host="O"><view><slot><text>inside</text></slot></view></one>',
  );
  page.setData({ msg: 'b' });
  await view.pump();
  assert.match(view.html(), /<slot><view>b<\/view><\/slot>/);
  // The slot disappears and comes back: its content is rebuilt in the view.
  one.setData({ on: false });
  await view.pump();
  assert.match(view.html(), /<one wx-host="O"><text>off<\/text><\/one>/);
  one.setData({ on: true });
  await view.pump();
  assert.match(view.html(), /<one wx-host="O"><view><slot><text>inside<\/text><\/slot><\/view><\/one>/);
});

test('triggerEvent: bubbles/composed, handler on the owner, detail and target', async () => {
  const log = [];
  let inner;
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { outer: 'outer' } } },
    components: { outer: { usingComponents: { inner: 'inner' } }, inner: {} },
    modules: {
      'inner.js': (r, m, e, g) => g.Component({ attached() { inner = this; } }),
      'outer.js': (r, m, e, g) => g.Component({ methods: { onOuter(e) { log.push('outer-tpl:' + e.target.id); }, onWrap(e) { log.push('outer-wrap:' + e.type); } } }),
      'p.js': (r, m, e, g) => g.Page({ onPage(e) { log.push('page:' + e.currentTarget.id + ':' + e.target.id + ':' + JSON.stringify(e.detail)); } }),
    },
    templates: {
      'p.wxml': () => [h('view', { id: 'pv', 'bind:hello': 'onPage' }, h('outer', { id: 'o', bindhello: 'onPage' }))],
      'outer.wxml': () => [h('view', { id: 'wrap', bindhello: 'onWrap' }, h('inner', { id: 'i', bindhello: 'onOuter' }))],
      'inner.wxml': () => [],
    },
  });
  inner.triggerEvent('hello', { v: 1 });
  assert.deepEqual(log, ['outer-tpl:i']);
  log.length = 0;
  inner.triggerEvent('hello', { v: 2 }, { bubbles: true });
  assert.deepEqual(log, ['outer-tpl:i', 'outer-wrap:hello']);
  log.length = 0;
  inner.triggerEvent('hello', { v: 3 }, { bubbles: true, composed: true });
  assert.deepEqual(log, ['outer-tpl:i', 'outer-wrap:hello', 'page:o:o:{"v":3}', 'page:pv:o:{"v":3}']);
  void view;
});

test('view events: capture then bubble, catch, mut-bind, dataset, mark, tap from inside a component', async () => {
  const log = [];
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { btn: 'btn' } } },
    components: { btn: {} },
    modules: {
      'btn.js': (r, m, e, g) => g.Component({ methods: { own(e) { log.push('btn:' + e.target.id + ':' + JSON.stringify(e.mark)); } } }),
      'p.js': (r, m, e, g) =>
        g.Page({
          h(e) { log.push(`${e.type}@${e.currentTarget.id} t=${e.target.id} ds=${JSON.stringify(e.target.dataset)} mark=${JSON.stringify(e.mark)}`); },
          cap(e) { log.push('cap@' + e.currentTarget.id); },
          mut(e) { log.push('mut@' + e.currentTarget.id); },
        }),
    },
    templates: {
      'p.wxml': () => [
        h('view', { id: 'outer', 'capture-bind:tap': 'cap', bindtap: 'h', 'mark:lvl': 'outer', 'mut-bind:tap': 'mut' },
          h('view', { id: 'mid', 'mut-bind:tap': 'mut', 'mark:lvl': 'mid', 'mark:m': 1 },
            h('view', { id: 'leaf', 'data-user-id': 5, 'data-fooBar': 'x', bindtap: 'h' }, 'L'))),
        h('view', { id: 'stop', catchtap: 'h' }, h('view', { id: 'in', bindtap: 'h' })),
        h('view', { id: 'host-wrap', bindtap: 'h' }, h('btn', { id: 'b' })),
      ],
      'btn.wxml': () => [h('view', { id: 'bv', bindtap: 'own', 'mark:k': 'inner' }, 'B')],
    },
  });
  await view.tap('leaf');
  assert.deepEqual(log, [
    'cap@outer',
    'tap@leaf t=leaf ds={"userId":5,"foobar":"x"} mark={"lvl":"mid","m":1}',
    'mut@mid',
    'tap@outer t=leaf ds={"userId":5,"foobar":"x"} mark={"lvl":"mid","m":1}',
  ]);
  log.length = 0;
  await view.tap('in');
  assert.deepEqual(log, ['tap@in t=in ds={} mark={}', 'tap@stop t=in ds={} mark={}']);
  log.length = 0;
  await view.tap('bv');
  assert.deepEqual(log, ['btn:bv:{"k":"inner"}', 'tap@host-wrap t=b ds={} mark={"k":"inner"}']);
});

test('externalClasses, styleIsolation modes, addGlobalClass, virtualHost, pureDataPattern', async () => {
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { a: 'a', b: 'b', v: 'v' } } },
    components: { a: { styleScope: 'A', usingComponents: { b: 'b' } }, b: { styleScope: 'B' }, v: { styleScope: 'V' } },
    modules: {
      'a.js': (r, m, e, g) => g.Component({ options: { styleIsolation: 'apply-shared' } }),
      'b.js': (r, m, e, g) => g.Component({ externalClasses: ['my-class'], data: { _hidden: 1, shown: 2 }, options: { pureDataPattern: /^_/ } }),
      'v.js': (r, m, e, g) => g.Component({ options: { virtualHost: true, addGlobalClass: true } }),
      'p.js': (r, m, e, g) => g.Page({}),
    },
    templates: {
      'p.wxml': () => [h('a'), h('b', { 'my-class': 'red big' }), h('v')],
      'a.wxml': () => [h('view', { class: 'x' }), h('b', { 'my-class': 'inner' })],
      'b.wxml': (d) => [h('view', { class: 'my-class own' }, `${d._hidden}|${d.shown}`)],
      'v.wxml': () => [h('view', { class: 'y' })],
    },
  });
  assert.equal(
    view.html(),
    '<a wx-host="A"><view class="A--x x"></view><b wx-host="B"><view class="A--inner inner B--own">undefined|2</view></b></a>' +
      '<b wx-host="B"><view class="red big B--own">undefined|2</view></b>' +
      '<v wx-host="V" wx-virtual="true"><view class="V--y y"></view></v>',
  );
});

test('relations, selectComponent, selectOwnerComponent, component export', async () => {
  const log = [];
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { ul: 'c/ul', li: 'c/li' } } },
    components: { 'c/ul': {}, 'c/li': {} },
    modules: {
      'c/ul.js': (r, m, e, g) =>
        g.Component({
          relations: { './li': { type: 'child', linked(t) { log.push('ul linked ' + t.id); }, unlinked(t) { log.push('ul unlinked ' + t.id); } } },
          behaviors: ['wx://component-export'],
          export() { return { api: 'ul' }; },
        }),
      'c/li.js': (r, m, e, g) => g.Component({ relations: { './ul': { type: 'parent', linked(t) { log.push('li linked to ' + t.selectOwnerComponent().route); } } } }),
      'p.js': (r, m, e, g) => g.Page({ data: { items: [1, 2] }, onLoad() { page = this; } }),
    },
    templates: {
      'p.wxml': (d) => [h('ul', { id: 'list', class: 'menu main' }, d.items.map((i) => h('li', { key: i, id: 'li' + i, class: 'item' })))],
      'c/ul.wxml': () => [h('slot')],
      'c/li.wxml': () => [],
    },
  });
  assert.deepEqual(log, ['ul linked li1', 'li linked to p', 'ul linked li2', 'li linked to p']);
  assert.deepEqual(json(page.selectComponent('#list')), { api: 'ul' });
  assert.deepEqual(json(page.selectComponent('.menu.main')), { api: 'ul' });
  assert.equal(page.selectAllComponents('.item').length, 2);
  assert.equal(page.selectComponent('.menu .item').id, 'li1');
  assert.equal(page.selectComponent('#nope'), null);
  log.length = 0;
  page.setData({ items: [2] });
  await view.pump();
  assert.deepEqual(log, ['ul unlinked li1']);
});

test('storage: sync cache, limits, write-behind to the shell', async () => {
  const { wx, view } = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (r, m, e, g) => g.Page({}) },
    templates: { 'p.wxml': () => [] },
    storage: { old: { a: 1 } },
  });
  assert.deepEqual(json(wx.getStorageSync('old')), { a: 1 });
  assert.equal(wx.getStorageSync('missing'), '');
  wx.setStorageSync('k', { n: [1, 2] });
  assert.deepEqual(json(wx.getStorageSync('k')), { n: [1, 2] });
  assert.throws(() => wx.setStorageSync('big', 'x'.repeat(1024 * 1024 + 1)), /setStorageSync:fail exceed storage item max length/);
  const info = wx.getStorageInfoSync();
  assert.deepEqual(json(info.keys).sort(), ['k', 'old']);
  assert.equal(info.limitSize, 10240);
  await assert.rejects(wx.getStorage({ key: 'nope' }), { errMsg: 'getStorage:fail data not found' });
  const got = await wx.getStorage({ key: 'k' });
  assert.equal(got.errMsg, 'getStorage:ok');
  wx.removeStorageSync('old');
  await view.pump();
  assert.deepEqual(json(view.calls.filter((c) => c.name.startsWith('storage.'))), [
    { name: 'storage.set', args: ['k', { n: [1, 2] }] },
    { name: 'storage.remove', args: ['old'] },
  ]);
  // 10 items of 1,000,000 bytes fit in 10 MiB (10,485,760 bytes); the 11th does not.
  for (let i = 0; i < 10; i++) wx.setStorageSync('f' + i, 'y'.repeat(1000 * 1000));
  assert.throws(() => wx.setStorageSync('f10', 'y'.repeat(1000 * 1000)), /setStorageSync:fail exceed storage max size 10Mb/);
  assert.equal(wx.getStorageSync('f10'), '');
});

test('model:value writes the widget value back to the page data', async () => {
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (r, m, e, g) => g.Page({ data: { form: { name: 'a' } }, onLoad() { page = this; } }) },
    // As wcc: attr.value holds the value, rawAttr the binding's source.
    templates: { 'p.wxml': (d) => [{ ...h('input', { id: 'in', value: d.form.name }), rawAttr: { 'model:value': '{{ form.name }}' } }] },
  });
  assert.equal(view.byId('in').attrs.value, 'a');
  assert.deepEqual(view.byId('in').attrs.$ev, ['input', 'change']);
  await view.event(view.byId('in'), 'input', { value: 'zed' });
  assert.equal(page.data.form.name, 'zed');
  assert.equal(view.byId('in').attrs.value, 'zed');
});

test('Component() as a page: properties from the query, methods as hooks', async () => {
  const log = [];
  const { view } = await start({
    app: { pages: ['p'] },
    launch: { path: 'p', query: { id: '42' }, scene: 1001 },
    modules: {
      'p.js': (r, m, e, g) =>
        g.Component({
          properties: { id: Number },
          lifetimes: { attached() { log.push('attached'); } },
          methods: { onLoad(q) { log.push('onLoad ' + q.id + ' ' + typeof this.data.id); }, onReady() { log.push('onReady'); } },
        }),
    },
    templates: { 'p.wxml': (d) => [`id=${d.id}`] },
  });
  assert.deepEqual(log, ['attached', 'onLoad 42 number', 'onReady']);
  assert.equal(view.html(), 'id=42');
});
