// componentPlaceholder (a component of a subpackage not loaded yet renders
// as its placeholder until the package is fetched) and definitionFilter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

const SUB_SERVICE = `define("sub/comp/comp.js", function (require, module, exports) {
  Component({
    properties: { label: String },
    lifetimes: { attached() { getApp().log.push('comp.attached ' + this.data.label); } },
  });
});`;

/** A main-package page using sub/comp/comp (in subpackage sub/) with a placeholder. */
function placeholderApp(log, answer, placeholder = 'view') {
  return {
    app: { pages: ['pages/index/index'], subpackages: [{ root: 'sub/', pages: ['sub/p/p'] }] },
    pages: {
      'pages/index/index': {
        package: '',
        usingComponents: { 'comp-a': 'sub/comp/comp', 'comp-c': 'components/ph/ph' },
        componentPlaceholder: { 'comp-a': placeholder },
      },
      'sub/p/p': { package: 'sub/' },
    },
    components: {
      'sub/comp/comp': { component: true, package: 'sub/' },
      'components/ph/ph': { component: true, package: '' },
    },
    manifest: (m) => m.packages.push({ root: 'sub/', files: {}, size: 1 }),
    modules: {
      'app.js': (r, m, e, g) => g.App({ log }),
      'pages/index/index.js': (r, m, e, g) => g.Page({ data: { label: 'one' }, onReady: () => log.push('page.onReady') }),
      'components/ph/ph.js': (r, m, e, g) => g.Component({ lifetimes: { attached: () => log.push('ph.attached') } }),
    },
    templates: {
      'pages/index/index.wxml': (d) => [h('comp-a', { id: 'a', label: d.label }, 'slotted'), h('view', { id: 'after' }, 'after')],
      'components/ph/ph.wxml': () => [h('text', {}, 'loading'), h('slot', {})],
      'sub/comp/comp.wxml': (d) => [h('view', { class: 'real' }, 'real ' + d.label), h('slot', {})],
    },
    answer,
  };
}

test('componentPlaceholder: while the subpackage is not there, a built-in placeholder renders in its place with the slot content', async () => {
  const log = [];
  const { view } = await start(
    placeholderApp(log, (name) => {
      if (name === 'package.load') throw new Error('offline');
      return undefined;
    }),
  );
  // The page's render does not wait for the package.
  assert.equal(view.html(), '<view id="a" label="one">slotted</view><view id="after">after</view>');
  assert.ok(log.includes('page.onReady'));
  assert.deepEqual(view.calls.filter((c) => c.name === 'package.load').map((c) => c.args), [['sub/']]);
});

test('componentPlaceholder: after the package loads the real component is attached with its properties, and later renders keep it', async () => {
  const log = [];
  const { view, g } = await start(
    placeholderApp(log, (name) => (name === 'package.load' ? SUB_SERVICE : undefined)),
  );
  await view.pump();
  assert.deepEqual(log.filter((l) => l.startsWith('comp.')), ['comp.attached one']);
  const host = view.byId('a');
  assert.ok(host.tag.endsWith('comp-a'), host.tag);
  assert.match(view.html(), /real one/);
  assert.match(view.html(), /slotted/);
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 1);

  g.getCurrentPages()[0].setData({ label: 'two' });
  await view.pump();
  assert.match(view.html(), /real two/);
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 1, 'a loaded package is not fetched again');
  assert.deepEqual(log.filter((l) => l.startsWith('comp.')), ['comp.attached one'], 'the component is not re-created');
});

test('componentPlaceholder: a custom component as placeholder; a package that fails to load leaves the placeholder and is asked again on the next render', async () => {
  const log = [];
  let failing = true;
  const { view, g } = await start(
    placeholderApp(
      log,
      (name) => {
        if (name !== 'package.load') return undefined;
        if (failing) throw new Error('the server answered 500');
        return SUB_SERVICE;
      },
      'comp-c',
    ),
  );
  await view.pump();
  assert.ok(log.includes('ph.attached'));
  assert.match(view.html(), /loading/);
  assert.doesNotMatch(view.html(), /real/);
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 1);

  failing = false;
  g.getCurrentPages()[0].setData({ label: 'three' });
  await view.pump();
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 2);
  assert.match(view.html(), /real three/);
  assert.doesNotMatch(view.html(), /loading/);
});

test('componentPlaceholder is not used when the component is already available', async () => {
  const log = [];
  const app = placeholderApp(log, () => undefined);
  // The same component, now in the main package.
  app.components['sub/comp/comp'].package = '';
  app.modules['sub/comp/comp.js'] = (r, m, e, g) => g.Component({ properties: { label: String } });
  const { view } = await start(app);
  assert.match(view.html(), /real one/);
  assert.equal(view.calls.filter((c) => c.name === 'package.load').length, 0);
});

test('definitionFilter: a behavior filters the definition of what uses it; definitionFilterArr holds its own behaviors\' filters', async () => {
  const seen = [];
  let inner;
  let outer;
  const { view, g } = await start({
    app: { pages: ['pages/index/index'] },
    pages: { 'pages/index/index': { package: '', usingComponents: { card: 'components/card/card' } } },
    components: { 'components/card/card': { component: true, package: '' } },
    modules: {
      'app.js': (r, m, e, g) => g.App({}),
      'components/card/card.js': (r, m, e, g) => {
        inner = g.Behavior({
          definitionFilter(defFields) {
            seen.push(['inner', Object.keys(defFields.methods || {}).sort().join(',')]);
            defFields.data = { ...(defFields.data || {}), fromInner: 'yes' };
          },
        });
        outer = g.Behavior({
          behaviors: [inner, 'wx://form-field'],
          methods: { outerMethod() {} },
          definitionFilter(defFields, definitionFilterArr) {
            seen.push(['outer', definitionFilterArr.length, definitionFilterArr[1]]);
            // Computed-style: turn defFields.computed into data, then pass the definition down.
            const c = defFields.computed || {};
            defFields.data = { ...(defFields.data || {}) };
            for (const k of Object.keys(c)) defFields.data[k] = c[k].call(null, defFields.data);
            definitionFilterArr[0](defFields);
          },
        });
        g.Component({
          behaviors: [outer],
          data: { n: 2 },
          computed: { twice: (d) => d.n * 2 },
          methods: { own() {} },
        });
      },
      'pages/index/index.js': (r, m, e, g) => g.Page({}),
    },
    templates: {
      'pages/index/index.wxml': () => [h('card', { id: 'c' })],
      'components/card/card.wxml': (d) => [h('view', { id: 'out' }, `${d.twice}/${d.fromInner}`)],
    },
  });
  // When outer was defined, inner filtered outer's definition (it saw outerMethod);
  // when the component was defined, outer ran and passed the component's definition to inner.
  assert.deepEqual(seen, [['inner', 'outerMethod'], ['outer', 2, null], ['inner', 'own']]);
  assert.equal(view.byId('out').children[0].text, '4/yes');
  void g;
});

test('definitionFilter of a Page\'s behavior sees {data, methods} (every page function a method) and what it adds is the page\'s', async () => {
  const log = [];
  const { view } = await start({
    app: { pages: ['pages/index/index'] },
    modules: {
      'app.js': (r, m, e, g) => g.App({}),
      'pages/index/index.js': (r, m, e, g) => {
        const b = g.Behavior({
          definitionFilter(defFields) {
            log.push(Object.keys(defFields.methods).sort().join(','));
            const onLoad = defFields.methods.onLoad;
            defFields.methods.onLoad = function (q) {
              log.push('wrapped');
              onLoad.call(this, q);
            };
            defFields.data.added = 'A';
          },
        });
        g.Page({ behaviors: [b], data: { own: 'O' }, title: 'kept', onLoad() { log.push('onLoad ' + this.title); }, tap() {} });
      },
    },
    templates: { 'pages/index/index.wxml': (d) => [h('view', { id: 'v' }, d.own + d.added)] },
  });
  assert.deepEqual(log, ['onLoad,tap', 'wrapped', 'onLoad kept']);
  assert.equal(view.byId('v').children[0].text, 'OA');
});
