// VElement.branch in the logic layer's diff: nodes of different wx:if
// branches or wx:for bodies never share a component instance. The templates
// are written as the WXML compiler renders them (each element of a block
// carries the block's id: "<file>:<k>"; internal/miniprogram/wxml's
// branch_test.go checks the compiler's side).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

/** h() with the block id the compiler gives an element of that block. */
const hb = (branch, tag, attr, ...children) => ({ ...h(tag, attr, ...children), branch });

const counterModule = (counters, log) => (r, m, e, g) =>
  g.Component({
    properties: { label: String },
    data: { n: 0 },
    attached() { counters.push(this); },
    detached() { log.push('detached:' + this.data.label); },
    methods: { inc() { this.setData({ n: this.data.n + 1 }); } },
  });

test('two same-shaped counters in wx:if / wx:else do not share state', async () => {
  let page;
  const counters = [];
  const log = [];
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { counter: 'counter' } } },
    components: { counter: {} },
    modules: {
      'counter.js': counterModule(counters, log),
      'p.js': (r, m, e, g) => g.Page({ data: { a: true, l: 'one' }, onLoad() { page = this; } }),
    },
    templates: {
      // <counter wx:if="{{a}}" id="x" label="{{l}}"/><counter wx:else id="x" label="{{l}}"/>
      'p.wxml': (d) => [d.a ? hb('1:0', 'counter', { id: 'x', label: d.l }) : hb('1:1', 'counter', { id: 'x', label: d.l })],
      'counter.wxml': (d) => [`${d.label}:${d.n}`],
    },
  });
  const text = () => view.byId('x').children[0].text;
  counters[0].inc();
  counters[0].inc();
  await view.pump();
  assert.equal(text(), 'one:2');
  // Re-rendering the same branch keeps the instance and its state.
  page.setData({ l: 'two' });
  await view.pump();
  assert.equal(text(), 'two:2');
  assert.equal(counters.length, 1);
  // The other branch gets its own instance; the first one is detached.
  page.setData({ a: false });
  await view.pump();
  assert.equal(text(), 'two:0');
  assert.equal(counters.length, 2);
  assert.deepEqual(log, ['detached:two']);
  counters[1].inc();
  await view.pump();
  // And back: the if branch is created anew, as WeChat does.
  page.setData({ a: true });
  await view.pump();
  assert.equal(text(), 'two:0');
  assert.equal(counters.length, 3);
  assert.deepEqual(log, ['detached:two', 'detached:two']);
});

test('an unkeyed wx:for body is told apart from a static sibling of the same shape', async () => {
  let page;
  const counters = [];
  const log = [];
  const { view } = await start({
    app: { pages: ['p'] },
    pages: { p: { usingComponents: { counter: 'counter' } } },
    components: { counter: {} },
    modules: {
      'counter.js': counterModule(counters, log),
      'p.js': (r, m, e, g) => g.Page({ data: { list: ['a'] }, onLoad() { page = this; } }),
    },
    templates: {
      // <counter wx:for="{{list}}" label="{{item}}"/><counter label="static"/>
      'p.wxml': (d) => [...d.list.map((it) => hb('1:0', 'counter', { label: it })), h('counter', { label: 'static' })],
      'counter.wxml': (d) => [`${d.label}:${d.n}`],
    },
  });
  const staticCounter = counters.find((c) => c.data.label === 'static');
  staticCounter.inc();
  await view.pump();
  assert.equal(view.html(), '<counter>a:0</counter><counter>static:1</counter>');
  // The loop empties: its counter goes, the static one keeps its state
  // (by shape alone the static node would have been paired with the item).
  page.setData({ list: [] });
  await view.pump();
  assert.deepEqual(log, ['detached:a']);
  assert.equal(view.html(), '<counter>static:1</counter>');
});

test('model:value on a wx:for item writes back through the resolved path', async () => {
  let page;
  const { view } = await start({
    app: { pages: ['p'] },
    modules: { 'p.js': (r, m, e, g) => g.Page({ data: { list: [{ name: 'a' }, { name: 'b' }] }, onLoad() { page = this; } }) },
    // <input wx:for="{{list}}" id="in{{index}}" model:value="{{item.name}}"/>: the
    // compiler gives rawAttr the item's data path.
    templates: {
      'p.wxml': (d) =>
        d.list.map((it, i) => ({ ...hb('1:0', 'input', { id: 'in' + i, value: it.name }), rawAttr: { 'model:value': `{{list[${i}].name}}` } })),
    },
  });
  await view.event(view.byId('in1'), 'input', { value: 'zed' });
  assert.equal(JSON.stringify(page.data.list), '[{"name":"a"},{"name":"zed"}]');
  assert.equal(view.byId('in1').attrs.value, 'zed');
});
