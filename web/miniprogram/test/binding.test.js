// The logic layer against the WXML compiler's tree shape (camelCased
// attribute names, rawAttr for model:, generics, "$wxs:" handlers): two-way
// binding, event attributes, generics, WXS event handlers, unkeyed diffing,
// relations, selector query datasets. Templates are hand-written in the
// exact shape internal/miniprogram/wxml produces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

/** An element with wcc's extra fields (rawAttr, generics). */
const el = (tag, attr, extra, ...children) => ({ ...h(tag, attr, ...children), ...extra });
const json = (v) => JSON.parse(JSON.stringify(v));

function captureWarnings() {
  const warnings = [];
  const orig = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  return { warnings, restore: () => (console.warn = orig) };
}

test('model:value on a built-in writes to a nested data path; other expressions warn once and write nothing', async () => {
  let page;
  const w = captureWarnings();
  try {
    const { view } = await start({
      app: { pages: ['p'] },
      modules: { 'p.js': (r, m, e, g) => g.Page({ data: { a: { b: [{ c: 'x' }] }, s: 'p', t: 1 }, onLoad() { page = this; } }) },
      templates: {
        'p.wxml': (d) => [
          el('input', { id: 'deep', value: d.a.b[0].c }, { rawAttr: { 'model:value': '{{ a.b[0].c }}' } }),
          el('input', { id: 'expr', value: d.s + '!' }, { rawAttr: { 'model:value': "{{s + '!'}}" } }),
          el('input', { id: 'loop', value: 'i' }, { rawAttr: { 'model:value': '{{item.name}}' } }),
          el('switch', { id: 'sw', checked: !!d.on }, { rawAttr: { 'model:checked': '{{on}}' } }),
        ],
      },
    });
    await view.event(view.byId('deep'), 'input', { value: 'typed', cursor: 5, keyCode: 100 });
    assert.equal(page.data.a.b[0].c, 'typed');
    assert.equal(view.byId('deep').attrs.value, 'typed');
    await view.event(view.byId('expr'), 'input', { value: 'q' });
    await view.event(view.byId('expr'), 'input', { value: 'r' });
    await view.event(view.byId('loop'), 'input', { value: 'z' });
    assert.equal(page.data.s, 'p');
    assert.equal(page.data.item, undefined);
    assert.equal(w.warnings.filter((x) => x.includes("model:value=\"{{s + '!'}}\"")).length, 1);
    assert.equal(w.warnings.filter((x) => x.includes('{{item.name}}')).length, 1);
    // <switch model:checked> reports {value}: it lands in the checked binding (a new field).
    await view.event(view.byId('sw'), 'change', { value: true });
    assert.equal(page.data.on, true);
    assert.equal(view.byId('sw').attrs.checked, true);
  } finally {
    w.restore();
  }
});

test('model:prop on a custom component: its own setData writes back to the owner, through an inner model:value', async () => {
  let page;
  let field;
  const log = [];
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { field: 'field' } } },
    components: { field: { styleScope: 'F' } },
    modules: {
      'field.js': (r, m, e, g) =>
        g.Component({ properties: { myValue: String }, attached() { field = this; }, methods: { clear() { this.setData({ myValue: '' }); } } }),
      'p.js': (r, m, e, g) =>
        g.Page({ data: { form: { name: 'ann' } }, onLoad() { page = this; }, onName(e) { log.push('onName:' + this.data.form.name + ':' + e.detail.value); } }),
    },
    templates: {
      // <field model:my-value="{{form.name}}"/>; inside: <input model:value="{{myValue}}"/>
      'p.wxml': (d) => [el('field', { myValue: d.form.name }, { rawAttr: { 'model:my-value': '{{form.name}}' } }), h('text', { id: 'echo' }, d.form.name)],
      'field.wxml': (d) => [el('input', { id: 'in', value: d.myValue }, { rawAttr: { 'model:value': '{{myValue}}' } })],
    },
  });
  assert.equal(field.data.myValue, 'ann');
  await view.event(view.byId('in'), 'input', { value: 'bob' });
  assert.equal(field.data.myValue, 'bob');
  assert.equal(page.data.form.name, 'bob');
  assert.equal(view.byId('echo').children[0].text, 'bob');
  field.clear();
  await view.pump();
  assert.equal(page.data.form.name, '');
  // The owner's own change still flows down.
  page.setData({ 'form.name': 'cy' });
  await view.pump();
  assert.equal(field.data.myValue, 'cy');
  assert.equal(view.byId('in').attrs.value, 'cy');
  void log;
});

test('camelCased attribute names: event prefixes, props, external classes, dataset, marks, slot', async () => {
  const log = [];
  let box;
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { box: 'box' } } },
    components: { box: { styleScope: 'B' } },
    modules: {
      'box.js': (r, m, e, g) =>
        g.Component({
          options: { multipleSlots: true },
          externalClasses: ['title-class'],
          properties: { myTitle: String, itemCount: Number },
          attached() { box = this; },
          methods: { fire() { this.triggerEvent('my-event', { n: 1 }); } },
        }),
      'p.js': (r, m, e, g) =>
        g.Page({
          h(e) { log.push(`${e.type}@${e.currentTarget.id}:${JSON.stringify(e.currentTarget.dataset)}:${JSON.stringify(e.mark)}`); },
          cap(e) { log.push('cap@' + e.currentTarget.id); },
          mut(e) { log.push('mut@' + e.currentTarget.id); },
          custom(e) { log.push('custom:' + JSON.stringify(e.detail)); },
        }),
    },
    templates: {
      // As wcc names them: capture-bindtap → captureBindtap, mut-bindtap → mutBindtap,
      // bindmy-event → bindmyEvent; names with ":" and data-* stay.
      'p.wxml': () => [
        h('view', { id: 'outer', captureBindtap: 'cap', 'capture-catch:touchstart': 'cap', mutBindtap: 'mut', 'data-user-id': 7 },
          h('view', { id: 'mid', 'mut-bind:tap': 'mut', 'bind:tap': 'h', 'mark:where': 'mid' },
            h('view', { id: 'leaf', bindtap: 'h', 'data-user-id': 'u1', hoverClass: 'hov' }, 'L'))),
        h('box', { id: 'b', myTitle: 'T', itemCount: '3', titleClass: 'red', bindmyEvent: 'custom' },
          h('text', { slot: 'head', id: 'headtext' }, 'H')),
      ],
      'box.wxml': (d) => [h('view', { class: 'title-class', id: 'title' }, h('slot', { name: 'head' }), `${d.myTitle}/${d.itemCount}`)],
    },
  });
  await view.tap('leaf');
  assert.deepEqual(log, ['cap@outer', 'tap@leaf:{"userId":"u1"}:{"where":"mid"}', 'mut@mid', 'tap@mid:{}:{"where":"mid"}']);
  assert.deepEqual(view.byId('leaf').attrs.hoverClass, 'hov');
  assert.equal(view.byId('leaf').attrs['data-user-id'], undefined);
  log.length = 0;
  await view.event(view.byId('leaf'), 'touchstart', {});
  assert.deepEqual(log, ['cap@outer']);
  assert.equal(box.data.myTitle, 'T');
  assert.equal(box.data.itemCount, 3);
  assert.equal(view.byId('title').attrs.class, 'red');
  assert.match(view.html(), /<slot><text id="headtext">H<\/text><\/slot>T\/3/);
  log.length = 0;
  box.fire();
  assert.deepEqual(log, ['custom:{"n":1}']);
});

test('componentGenerics: the owner chooses the implementation in its own usingComponents; default otherwise', async () => {
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { list: 'c/list', 'custom-radio': 'c/radio', 'other-list': 'c/outer' } } },
    components: {
      'c/list': { styleScope: 'L', componentGenerics: { selectable: { default: 'c/plain' }, extra: true } },
      'c/radio': { styleScope: 'R' },
      'c/plain': { styleScope: 'P' },
      'c/check': { styleScope: 'K' },
      // A component that passes one of its own generics on to list.
      'c/outer': { styleScope: 'O', usingComponents: { list: 'c/list' }, componentGenerics: { inner: true } },
    },
    modules: {
      'c/list.js': (r, m, e, g) => g.Component({ properties: { items: Array } }),
      'c/radio.js': (r, m, e, g) => g.Component({ properties: { label: String } }),
      'c/plain.js': (r, m, e, g) => g.Component({ properties: { label: String } }),
      'c/check.js': (r, m, e, g) => g.Component({ properties: { label: String } }),
      'c/outer.js': (r, m, e, g) => g.Component({}),
      'p.js': (r, m, e, g) => g.Page({ data: { items: ['a', 'b'] } }),
    },
    templates: {
      'p.wxml': (d) => [
        el('list', { id: 'chosen', items: d.items }, { generics: { 'wx-selectable': 'wx-custom-radio' } }),
        h('list', { id: 'fallback', items: ['c'] }),
        el('other-list', { id: 'nested' }, { generics: { 'wx-inner': 'wx-custom-radio' } }),
      ],
      'c/list.wxml': (d) => (d.items || []).map((it) => h('selectable', { label: it })),
      'c/outer.wxml': () => [el('list', { items: ['n'] }, { generics: { 'wx-selectable': 'wx-inner' } })],
      'c/radio.wxml': (d) => [h('text', {}, 'radio:' + d.label)],
      'c/plain.wxml': (d) => [h('text', {}, 'plain:' + d.label)],
      'c/check.wxml': (d) => [h('text', {}, 'check:' + d.label)],
    },
  });
  const html = view.html();
  assert.match(html, /<list id="chosen" wx-host="L"><selectable wx-host="R"><text>radio:a<\/text><\/selectable><selectable wx-host="R"><text>radio:b<\/text><\/selectable><\/list>/);
  assert.match(html, /<list id="fallback" wx-host="L"><selectable wx-host="P"><text>plain:c<\/text><\/selectable><\/list>/);
  assert.match(html, /<other-list id="nested" wx-host="O"><list wx-host="L"><selectable wx-host="R"><text>radio:n<\/text>/);
});

test('WXS event handler: (event, ownerInstance), callMethod, instance dataset and classes, false stops bubbling', async () => {
  let page;
  const log = [];
  const { view, g } = await start({
    app: { pages: ['p'] },
    modules: {
      'p.js': (r, m, e, g) =>
        g.Page({
          data: { wxs: false },
          onLoad() { page = this; },
          picked(arg) { log.push('picked:' + JSON.stringify(arg)); return { ok: 1 }; },
          outerTap() { log.push('outer'); },
        }),
    },
    templates: { 'p.wxml': () => [] },
  });
  // Functions do not survive the harness's JSON copy: render directly from here on.
  const onTap = (e, owner) => {
    // What compiled WXS code sees: every key under nv_.
    const back = owner.nv_callMethod('picked', { nv_id: e.nv_currentTarget.nv_dataset.nv_id, nv_x: e.nv_detail.nv_x });
    log.push('back:' + back.nv_ok + ' type:' + e.nv_type + ' ds:' + e.nv_instance.nv_getDataset().nv_id);
    e.nv_instance.nv_addClass('on');
    const st = e.nv_instance.nv_getState();
    st.nv_n = (st.nv_n || 0) + 1;
    log.push('state:' + st.nv_n);
    return e.nv_detail.nv_stop ? false : undefined;
  };
  g.__R.render = () => [
    h('view', { id: 'outer', bindtap: 'outerTap' }, h('view', { id: 'w', 'data-id': 'k1', class: 'base', $gdc: () => null, '$wxs:bindtap': onTap }, 'W')),
  ];
  page.setData({ wxs: true });
  await view.pump();
  assert.deepEqual(view.byId('w').attrs.$ev, ['tap']);
  await view.event(view.byId('w'), 'tap', { x: 3 });
  assert.deepEqual(log, ['picked:{"id":"k1","x":3}', 'back:1 type:tap ds:k1', 'state:1', 'outer']);
  assert.equal(view.byId('w').attrs.class, 'base on');
  log.length = 0;
  await view.event(view.byId('w'), 'tap', { x: 4, stop: true });
  assert.deepEqual(log, ['picked:{"id":"k1","x":4}', 'back:1 type:tap ds:k1', 'state:2']);
  // A re-render keeps the WXS-added class.
  page.setData({ wxs: 1 });
  await view.pump();
  assert.equal(view.byId('w').attrs.class, 'base on');
});

test('unkeyed siblings: wx:if between two instances of one component does not hand over state; a kept element keeps it', async () => {
  let page;
  const counters = [];
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { counter: 'counter' } } },
    components: { counter: {} },
    modules: {
      'counter.js': (r, m, e, g) =>
        g.Component({ properties: { label: String, title: String }, data: { n: 0 }, attached() { counters.push(this); }, methods: { inc() { this.setData({ n: this.data.n + 1 }); } } }),
      'p.js': (r, m, e, g) => g.Page({ data: { a: true, first: true, v: 1 }, onLoad() { page = this; } }),
    },
    templates: {
      'p.wxml': (d) => [
        // <counter wx:if="{{a}}" label="A"/><counter wx:else title="B"/>: two source elements.
        d.a ? h('counter', { id: 'x', label: 'A' }) : h('counter', { id: 'x', title: 'B' }),
        h('view', {}, '|'),
        // <counter wx:if="{{first}}" id="f" label=…/><view/><counter id="s" label=…/>
        ...(d.first ? [h('counter', { id: 'f', label: 'first' })] : []),
        h('view', {}, '-'),
        h('counter', { id: 's', label: 'second' + d.v }),
      ],
      'counter.wxml': (d) => [`${d.label || d.title}:${d.n}`],
    },
  });
  counters[0].inc();
  await view.pump();
  assert.equal(view.byId('x').children[0].text, 'A:1');
  page.setData({ a: false });
  await view.pump();
  assert.equal(view.byId('x').children[0].text, 'B:0');
  page.setData({ a: true });
  await view.pump();
  assert.equal(view.byId('x').children[0].text, 'A:0');
  // The second counter keeps its state when the first one (same shape) disappears before it.
  const second = counters.find((c) => c.id === 's');
  second.inc();
  second.inc();
  await view.pump();
  page.setData({ first: false, v: 2 });
  await view.pump();
  assert.equal(view.byId('f'), null);
  assert.equal(view.byId('s').children[0].text, 'second2:2');
  page.setData({ first: true });
  await view.pump();
  assert.equal(view.byId('f').children[0].text, 'first:0');
  assert.equal(view.byId('s').children[0].text, 'second2:2');
});

test('relations: parent is the nearest component in the same template; ancestor goes further; linkChanged on a move', async () => {
  const log = [];
  let page;
  const rel = (type, extra = {}) => ({
    type,
    linked(t) { log.push(`${this.is.split('/')[1]}#${this.id} linked ${t.id}`); },
    linkChanged(t) { log.push(`${this.is.split('/')[1]}#${this.id} changed ${t.id}`); },
    unlinked(t) { log.push(`${this.is.split('/')[1]}#${this.id} unlinked ${t.id}`); },
    ...extra,
  });
  await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { ul: 'c/ul', li: 'c/li', wrap: 'c/wrap', anc: 'c/anc', leaf: 'c/leaf' } } },
    components: { 'c/ul': {}, 'c/li': {}, 'c/wrap': { usingComponents: { li: 'c/li' } }, 'c/anc': {}, 'c/leaf': {} },
    modules: {
      'c/ul.js': (r, m, e, g) => g.Component({ relations: { './li': rel('child') } }),
      'c/li.js': (r, m, e, g) => g.Component({ relations: { './ul': rel('parent') } }),
      'c/wrap.js': (r, m, e, g) => g.Component({}),
      'c/anc.js': (r, m, e, g) => g.Component({ relations: { './leaf': rel('descendant') } }),
      'c/leaf.js': (r, m, e, g) => g.Component({ relations: { './anc': rel('ancestor') } }),
      'p.js': (r, m, e, g) => g.Page({ data: { order: ['1', '2'] }, onLoad() { page = this; } }),
    },
    templates: {
      'p.wxml': (d) => [
        h('ul', { id: 'u' }, ...d.order.map((k) => h('li', { id: 'l' + k, key: k })), h('wrap', { id: 'w' }, h('li', { id: 'inwrap' }))),
        h('anc', { id: 'a' }, h('wrap', { id: 'w2' }, h('leaf', { id: 'deep' }))),
      ],
      // The li inside wrap's own template is in another template: never linked to ul.
      'c/wrap.wxml': () => [h('slot'), h('li', { id: 'own' })],
      'c/ul.wxml': () => [h('slot')],
      'c/li.wxml': () => [],
      'c/anc.wxml': () => [h('slot')],
      'c/leaf.wxml': () => [],
    },
  });
  assert.deepEqual(log.sort(), [
    'anc#a linked deep', 'leaf#deep linked a',
    'li#l1 linked u', 'li#l2 linked u',
    'ul#u linked l1', 'ul#u linked l2',
  ]);
  log.length = 0;
  page.setData({ order: ['2', '1'] });
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(log.includes('ul#u changed l1') || log.includes('ul#u changed l2'), JSON.stringify(log));
  assert.ok(log.includes('li#l1 changed u') || log.includes('li#l2 changed u'), JSON.stringify(log));
  assert.ok(!log.some((x) => x.includes('unlinked')), JSON.stringify(log));
});

test('selector query: dataset, mark and properties come from the logic tree by node id', async () => {
  let view;
  const r = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (req, m, e, g) => g.Page({}) },
    templates: { 'p.wxml': () => [h('scroll-view', { id: 'sv', 'data-user-id': 9, 'mark:m': 'k', scrollX: true })] },
    answer: (name, args) =>
      name === 'selectorQuery' ? args[0].map((q) => ({ id: 'sv', $node: view.byId('sv').id, width: 10, q: Object.keys(q.fields) })) : undefined,
  });
  view = r.view;
  let got;
  r.wx.createSelectorQuery().select('#sv').fields({ id: true, dataset: true, mark: true, size: true, properties: ['scrollX', 'scroll-x'] }).exec((res) => (got = res));
  await view.pump();
  assert.deepEqual(json(got), [{ id: 'sv', width: 10, q: ['id', 'dataset', 'mark', 'size', 'properties'], dataset: { userId: 9 }, mark: { m: 'k' }, scrollX: true, 'scroll-x': true }]);
});
