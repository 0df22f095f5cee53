// The logic layer against hostile or unusual input: data paths that reach
// prototypes, storage keys and values WeChat keeps, boot's page-not-found
// redirect, re-entry with a path, long presses, uncaught errors, observers
// of closed pages, triggerEvent(name, detail, null).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { h, start } from './harness.js';

function twoPages(log = [], extra = {}) {
  return {
    app: { pages: ['pages/index/index', 'pages/b/b'] },
    modules: {
      'app.js': (r, m, e, g) =>
        g.App({
          onError: (msg) => log.push('App.onError:' + String(msg).split('\n')[0]),
          onPageNotFound: (o) => {
            log.push('onPageNotFound:' + o.path);
            if (extra.redirect) g.wx.redirectTo({ url: extra.redirect });
          },
        }),
      'pages/index/index.js': (r, m, e, g) =>
        g.Page({
          data: { a: { b: 1 } },
          onLoad: (q) => log.push('A.onLoad:' + JSON.stringify(q)),
          onUnload: () => log.push('A.onUnload'),
          onShow: () => log.push('A.onShow'),
          press: () => log.push('press'),
          tapped: () => log.push('tap'),
        }),
      'pages/b/b.js': (r, m, e, g) =>
        g.Page({
          onLoad: (q) => log.push('B.onLoad:' + JSON.stringify(q)),
          onUnload: () => log.push('B.onUnload'),
          observe() {
            this.createIntersectionObserver().observe('#b', (res) => log.push('intersect:' + res.intersectionRatio));
          },
        }),
    },
    templates: {
      'pages/index/index.wxml': () => [
        h('view', { id: 'long', bindlongpress: 'press', bindtap: 'tapped' }, 'long'),
        h('view', { id: 'plain', bindtap: 'tapped' }, 'plain'),
      ],
      'pages/b/b.wxml': () => [h('view', { id: 'b' }, 'B')],
    },
    ...extra,
  };
}

test('setData refuses paths through __proto__ and prototype; inherited names are plain fields', async () => {
  const { g, view } = await start(twoPages());
  const page = g.getCurrentPages()[0];
  for (const key of ['__proto__.polluted', 'a.__proto__.polluted', 'constructor.prototype.polluted', 'x[0].prototype']) {
    assert.throws(() => page.setData({ [key]: 1 }), /invalid data path/, key);
  }
  assert.equal(vm.runInContext('({}).polluted', g), undefined, 'the worker\'s Object.prototype is untouched');
  // constructor/toString are data fields like any other, not properties of Object.
  page.setData({ 'constructor.x': 1, toString: 'text' });
  await view.pump();
  assert.equal(JSON.stringify(page.data.constructor), '{"x":1}');
  assert.equal(page.data.toString, 'text');
});

test('a page component takes only its own properties from the query', async () => {
  const { g } = await start({
    app: { pages: ['pages/index/index'] },
    pages: { 'pages/index/index': { package: '', component: true } },
    modules: { 'pages/index/index.js': (r, m, e, g) => g.Component({ properties: { id: String } }) },
    templates: { 'pages/index/index.wxml': () => [h('view', {}, 'x')] },
    launch: { path: 'pages/index/index', query: { id: '7', toString: 'x' }, scene: 1001 },
  });
  const data = g.getCurrentPages()[0].data;
  assert.equal(data.id, '7');
  assert.ok(!Object.prototype.hasOwnProperty.call(data, 'toString'));
});

test('an own "__proto__" field survives setData and reaches the view as data, not as a prototype', async () => {
  const { g, view } = await start({
    app: { pages: ['pages/index/index'] },
    modules: { 'pages/index/index.js': (r, m, e, g) => g.Page({ data: { o: {} } }) },
    templates: { 'pages/index/index.wxml': (d) => [h('view', { id: 'v' }, String(Object.keys(d.o)) + '|' + String(d.o.__proto__ === Object.prototype))] },
  });
  const page = g.getCurrentPages()[0];
  page.setData({ o: JSON.parse('{"__proto__": {"x": 1}, "y": 2}') });
  await view.pump();
  assert.equal(view.html(), '<view id="v">__proto__,y|false</view>');
});

test('storage: a "__proto__" key from the snapshot is kept; Dates stay Dates; wrong key types name the type', async () => {
  const { wx, view } = await start({
    ...twoPages(),
    storage: [
      ['__proto__', { evil: true }],
      ['when', new Date(1700000000000)],
    ],
  });
  assert.equal(JSON.stringify(wx.getStorageSync('__proto__')), '{"evil":true}');
  assert.ok(wx.getStorageInfoSync().keys.includes('__proto__'));
  const when = wx.getStorageSync('when');
  assert.equal(Object.prototype.toString.call(when), '[object Date]');
  assert.equal(when.getTime(), 1700000000000);

  wx.setStorageSync('d', new Date(5));
  const d = wx.getStorageSync('d');
  assert.equal(Object.prototype.toString.call(d), '[object Date]');
  assert.equal(d.getTime(), 5);
  await view.pump();
  const set = view.calls.filter((c) => c.name === 'storage.set').at(-1);
  assert.equal(set.args[0], 'd');
  assert.equal(Object.prototype.toString.call(set.args[1]), '[object Date]');
  // Nested Dates become their JSON text, as in WeChat.
  wx.setStorageSync('n', { at: new Date(5) });
  assert.equal(JSON.stringify(wx.getStorageSync('n')), '{"at":"1970-01-01T00:00:00.005Z"}');

  assert.throws(() => wx.setStorageSync(1, 'x'), { message: 'setStorageSync:fail parameter error: parameter.key should be String instead of Number;' });
  assert.throws(() => wx.getStorageSync(null), { message: 'getStorageSync:fail parameter error: parameter.key should be String instead of Null;' });
});

test('onPageNotFound that redirects: one page on the stack, the one it chose', async () => {
  const log = [];
  const { view, g } = await start({ ...twoPages(log, { redirect: '/pages/b/b?from=nf' }), launch: { path: 'pages/missing', query: {}, scene: 1001 } });
  assert.deepEqual(view.stack.length, 1);
  assert.equal(view.top().route, 'pages/b/b');
  assert.equal(g.getCurrentPages().length, 1);
  assert.ok(!log.some((l) => l.startsWith('A.onLoad')), log.join());
  assert.ok(log.includes('B.onLoad:{"from":"nf"}'));
});

test('onPageNotFound that does nothing: the entry page opens', async () => {
  const log = [];
  const { view } = await start({ ...twoPages(log), launch: { path: 'pages/missing', query: {}, scene: 1001 } });
  assert.equal(view.stack.length, 1);
  assert.equal(view.top().route, 'pages/index/index');
  assert.deepEqual(log.slice(0, 2), ['onPageNotFound:pages/missing', 'A.onLoad:{}']);
});

test('re-entering a running app with another page relaunches it there; the same page just shows', async () => {
  const log = [];
  const { view } = await start(twoPages(log));
  view.send({ t: 'appHide' });
  await view.pump();
  log.length = 0;
  view.send({ t: 'appShow', scene: 1011, path: 'pages/index/index', query: {} });
  await view.pump();
  assert.deepEqual(log, ['A.onShow']);
  view.send({ t: 'appHide' });
  view.send({ t: 'appShow', scene: 1011, path: 'pages/b/b', query: { id: '3' } });
  await view.pump();
  assert.ok(log.includes('A.onUnload'));
  assert.ok(log.includes('B.onLoad:{"id":"3"}'));
  assert.equal(view.stack.length, 1);
  assert.equal(view.top().route, 'pages/b/b');
});

test('a slow tap still taps unless a longpress handler ran for that press', async () => {
  const log = [];
  const { view } = await start(twoPages(log));
  log.length = 0;
  const send = async (id, type, press) => {
    view.send({ t: 'event', page: view.stack[0], node: view.byId(id).id, type, detail: {}, ...(press ? { press } : {}) });
    await view.pump();
  };
  // #plain has no longpress handler: the view would not send longpress; its slow tap comes with the press number.
  await send('plain', 'tap', 1);
  assert.deepEqual(log.splice(0), ['tap']);
  // #long: its longpress handler runs, so the tap of the same press is dropped.
  await send('long', 'longpress', 2);
  await send('long', 'tap', 2);
  assert.deepEqual(log.splice(0), ['press']);
  // The next press taps again.
  await send('long', 'tap');
  assert.deepEqual(log.splice(0), ['tap']);
});

test('an uncaught error in the worker goes to App.onError and wx.onError and is handled there', async () => {
  const log = [];
  const { g, wx, listeners } = await start(twoPages(log));
  const seen = [];
  wx.onError((m) => seen.push(String(m).split('\n')[0]));
  let prevented = false;
  listeners.error({ message: 'Uncaught Error: boom', error: vm.runInContext('new Error("boom")', g), preventDefault: () => (prevented = true) });
  assert.equal(prevented, true, 'the error must not reach the frame (and the shell)');
  assert.ok(log.includes('App.onError:boom'), log.join());
  assert.deepEqual(seen, ['boom']);
});

test('intersection observers of a page end with it', async () => {
  const log = [];
  const { g, view, wx } = await start(twoPages(log));
  const nav = wx.navigateTo({ url: '/pages/b/b' });
  await view.pump();
  await nav;
  g.getCurrentPages()[1].observe();
  await view.pump();
  const observe = view.calls.find((c) => c.name === 'intersection.observe');
  const id = observe.args[0].id;
  const node = view.byId('b').id;
  view.send({ t: 'apiEvent', name: 'intersection', data: { id, node, intersectionRatio: 1 } });
  await view.pump();
  assert.deepEqual(log.filter((l) => l.startsWith('intersect')), ['intersect:1']);
  const back = wx.navigateBack();
  await view.pump();
  await back;
  view.send({ t: 'apiEvent', name: 'intersection', data: { id, node, intersectionRatio: 0 } });
  await view.pump();
  assert.deepEqual(log.filter((l) => l.startsWith('intersect')), ['intersect:1'], 'no callback after the page closed');
});

test('triggerEvent(name, detail, null) fires like no options', async () => {
  const log = [];
  const { view } = await start({
    app: { pages: ['pages/index/index'] },
    pages: { 'pages/index/index': { package: '', usingComponents: { 'my-c': 'comp/c' } } },
    components: { 'comp/c': {} },
    modules: {
      'pages/index/index.js': (r, m, e, g) => g.Page({ onGo: (ev) => log.push('go:' + JSON.stringify(ev.detail)) }),
      'comp/c.js': (r, m, e, g) =>
        g.Component({
          methods: {
            fire() {
              this.triggerEvent('go', { n: 1 }, null);
            },
          },
        }),
    },
    templates: { 'pages/index/index.wxml': () => [h('my-c', { id: 'c', bindgo: 'onGo' })], 'comp/c.wxml': () => [h('view', { id: 'in', bindtap: 'fire' }, 'c')] },
  });
  await view.tap('in');
  assert.deepEqual(log, ['go:{"n":1}']);
});
