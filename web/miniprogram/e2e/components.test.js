// Browser tests of the built-in component widgets
// (web/miniprogram/src/view/components): the widgets are bundled with a
// small stand-in for the view core (it creates <wx-TAG> elements, calls the
// widget factories with a recording ctx and appends children to the slot),
// loaded into headless chromium and driven with real pointer and keyboard
// input.
//
//   cd web/miniprogram && node --test e2e/components.test.js
//
// Environment: CHROMIUM (default /usr/bin/chromium). Also writes the gallery
// screenshot docs/screenshots/mp-components.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// The stand-in core. `mp.mount(spec)` builds a tree like the op applier
// would: spec = {tag, ref?, attrs?, id?, style?, children?: (spec|string)[]}.
const harness = `
import { componentStyles } from "./components";
import { sanitizeHTML, sanitizeNodes } from "./components/richtext";
import { attachWidget, widgetFor, widgetOf, widgetTags } from "./widget";

const events: { ref: string; type: string; detail: unknown }[] = [];
const refs = new Map<string, HTMLElement>();
const style = document.createElement("style");
style.textContent = componentStyles;
document.head.appendChild(style);
const overlayEl = document.createElement("div");
overlayEl.id = "overlay";
document.body.appendChild(overlayEl);

type Spec = string | { tag: string; ref?: string; attrs?: Record<string, unknown>; id?: string; style?: string; children?: Spec[] };

function mount(spec: Spec, parent: Node = document.getElementById("root")!): Node {
  if (typeof spec === "string") return parent.appendChild(document.createTextNode(spec));
  const el = document.createElement("wx-" + spec.tag);
  if (spec.id) el.id = spec.id;
  if (spec.style) el.setAttribute("style", spec.style);
  const ref = spec.ref ?? spec.tag;
  refs.set(ref, el);
  let slot: HTMLElement = el;
  const factory = widgetFor(spec.tag);
  if (factory) {
    const w = factory({
      el,
      attrs: { ...(spec.attrs ?? {}) },
      emit: (type, detail) => events.push({ ref, type, detail: JSON.parse(JSON.stringify(detail)) }),
      resolveURL: (s) => "https://pkg.invalid/" + s.replace(/^\\//, ""),
      rpx: (n) => Math.floor((n / 750) * window.innerWidth + 1e-4) || (n ? 1 : 0),
      overlay: () => overlayEl,
    });
    attachWidget(el, w);
    slot = w.slot ?? el;
  }
  parent.appendChild(el);
  for (const c of spec.children ?? []) mount(c, slot);
  return el;
}

(window as any).mp = {
  mount,
  events,
  el: (ref: string) => refs.get(ref),
  update: (ref: string, name: string, value: unknown) => widgetOf(refs.get(ref)!)?.update?.(name, value),
  tags: widgetTags,
  of: (type: string, ref?: string) => events.filter((e) => e.type === type && (!ref || e.ref === ref)).map((e) => e.detail),
  sanitizeHTML: (html: string) => {
    const d = document.createElement("div");
    d.appendChild(sanitizeHTML(html, (s) => "pkg:" + s));
    return d.innerHTML;
  },
  sanitizeNodes: (nodes: unknown[]) => {
    const d = document.createElement("div");
    d.appendChild(sanitizeNodes(nodes as never, (s) => "/pkg/" + s));
    return d.innerHTML;
  },
};
`;

let browser;
let bundle;

before(() => {
  bundle = execFileSync('go', ['run', './web/miniprogram/e2e/widgetbundle'], { cwd: repo, input: harness, maxBuffer: 1 << 26 }).toString();
});

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh phone-sized page with the widgets loaded; page errors fail the test. */
async function fresh(t, { width = 375, height = 700 } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  t.after(async () => {
    await page.close();
    assert.deepEqual(errors, [], 'page errors');
  });
  await page.setContent(
    `<!doctype html><html><head><meta charset="utf-8"><style>
      body { margin: 0; font-family: -apple-system, "Helvetica Neue", "PingFang SC", "Noto Sans CJK SC", sans-serif; font-size: 16px; color: rgba(0,0,0,.9); background: #fff; }
    </style></head><body><div id="root"></div></body></html>`,
  );
  await page.addScriptTag({ content: bundle });
  return page;
}

const mount = (page, spec) => page.evaluate((s) => void window.mp.mount(s), spec);
const events = (page, type, ref) => page.evaluate(([t, r]) => window.mp.of(t, r), [type, ref]);
const waitEvents = (page, type, n, ref) =>
  page.waitForFunction(([t, k, r]) => window.mp.of(t, r).length >= k, [type, n, ref]).then(() => events(page, type, ref));
const frames = (page, n = 2) =>
  page.evaluate((k) => new Promise((res) => {
    const step = (i) => (i ? requestAnimationFrame(() => step(i - 1)) : res());
    step(k);
  }), n);

/** Scrolls a picker wheel to row i like a user would, and waits until it settles. */
async function pickRow(page, column, i) {
  await column.evaluate((c, row) => c.scrollTo({ top: row * 34 }), i);
  await page.waitForTimeout(250);
}

describe('registry', () => {
  test('every built-in component of the brief is registered', async (t) => {
    const page = await fresh(t);
    const tags = await page.evaluate(() => window.mp.tags());
    for (const tag of ['view', 'text', 'icon', 'image', 'button', 'input', 'textarea', 'label', 'checkbox', 'checkbox-group', 'radio', 'radio-group', 'switch', 'slider', 'progress', 'picker', 'picker-view', 'picker-view-column', 'scroll-view', 'swiper', 'swiper-item', 'navigator', 'form', 'rich-text', 'movable-area', 'movable-view', 'web-view', 'cover-view', 'cover-image', 'video', 'map', 'canvas', 'camera']) {
      assert.ok(tags.includes(tag), `${tag} is registered`);
    }
  });
});

describe('input and textarea', () => {
  test('typing emits input with value, cursor and keyCode; focus, confirm, blur', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'input', attrs: { placeholder: '请输入', maxlength: 5 } });
    assert.equal(await page.locator('.wx-input-placeholder').isVisible(), true);
    await page.click('wx-input');
    const [focus] = await waitEvents(page, 'focus', 1);
    assert.deepEqual(focus, { value: '', height: 0 });
    await page.keyboard.type('abcdefg');
    const inputs = await events(page, 'input');
    assert.equal(inputs.length, 5, 'maxlength 5 stops the sixth character');
    assert.deepEqual(inputs[2], { value: 'abc', cursor: 3, keyCode: 67 });
    assert.equal(await page.locator('.wx-input-placeholder').isVisible(), false);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    assert.deepEqual((await events(page, 'input')).at(-1), { value: 'abce', cursor: 3, keyCode: 8 });
    await page.keyboard.press('Enter');
    assert.deepEqual(await events(page, 'confirm'), [{ value: 'abce' }]);
    const [blur] = await waitEvents(page, 'blur', 1);
    assert.equal(blur.value, 'abce', 'confirm without confirm-hold blurs');
  });

  test('value set by the logic layer shows, is clipped to maxlength and keeps the cursor', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'input', attrs: { value: 'hello', password: true } });
    const field = page.locator('wx-input input');
    assert.equal(await field.inputValue(), 'hello');
    assert.equal(await field.getAttribute('type'), 'password');
    await page.evaluate(() => window.mp.update('input', 'value', 'x'.repeat(200)));
    assert.equal((await field.inputValue()).length, 140, 'default maxlength is 140');
    await page.evaluate(() => window.mp.update('input', 'maxlength', -1));
    await page.evaluate(() => window.mp.update('input', 'value', 'y'.repeat(200)));
    assert.equal((await field.inputValue()).length, 200, 'maxlength -1 means no limit');
  });

  test('textarea: Enter is a newline by default, auto-height grows and emits linechange', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'textarea', attrs: { 'auto-height': true }, style: 'width: 200px; line-height: 20px' });
    const h0 = await page.locator('wx-textarea').evaluate((e) => e.offsetHeight);
    await page.click('wx-textarea');
    await page.keyboard.type('one');
    await page.keyboard.press('Enter');
    await page.keyboard.type('two');
    await page.keyboard.press('Enter');
    await page.keyboard.type('three');
    assert.deepEqual(await events(page, 'confirm'), []);
    assert.equal((await events(page, 'input')).at(-1).value, 'one\ntwo\nthree');
    const h1 = await page.locator('wx-textarea').evaluate((e) => e.offsetHeight);
    assert.ok(h1 >= h0 + 40, `auto-height grew from ${h0} to ${h1}`);
    const lines = await events(page, 'linechange');
    assert.equal(lines.at(-1).lineCount, 3);
  });
});

describe('choices', () => {
  test('checkbox-group reports every checked value; radio-group the one checked', async (t) => {
    const page = await fresh(t);
    await mount(page, {
      tag: 'checkbox-group', children: [
        { tag: 'checkbox', ref: 'c1', attrs: { value: 'a' }, children: ['A'] },
        { tag: 'checkbox', ref: 'c2', attrs: { value: 'b', checked: true }, children: ['B'] },
        { tag: 'checkbox', ref: 'c3', attrs: { value: 'c', disabled: true }, children: ['C'] },
      ],
    });
    await mount(page, {
      tag: 'radio-group', children: [
        { tag: 'radio', ref: 'r1', attrs: { value: 'x', checked: true }, children: ['X'] },
        { tag: 'radio', ref: 'r2', attrs: { value: 'y' }, children: ['Y'] },
      ],
    });
    await page.click('wx-checkbox >> nth=0');
    await page.click('wx-checkbox >> nth=2'); // disabled: no change
    await page.click('wx-checkbox >> nth=1');
    assert.deepEqual(await events(page, 'change', 'checkbox-group'), [{ value: ['a', 'b'] }, { value: ['a'] }]);
    await page.click('wx-radio >> nth=1');
    await page.click('wx-radio >> nth=1'); // already checked: nothing
    assert.deepEqual(await events(page, 'change', 'radio-group'), [{ value: 'y' }]);
    assert.equal(await page.locator('wx-radio >> nth=0').getAttribute('checked'), null, 'the other radio is unchecked');
  });

  test('label toggles the control it wraps or names with for=', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'checkbox-group', children: [{ tag: 'label', children: [{ tag: 'checkbox', attrs: { value: 'k' } }, { tag: 'text', children: ['tap the words'] }] }] });
    await mount(page, { tag: 'switch', id: 'sw' });
    await mount(page, { tag: 'label', ref: 'forlabel', attrs: { for: 'sw' }, children: ['switch label'] });
    await page.click('text=tap the words');
    assert.deepEqual(await events(page, 'change', 'checkbox-group'), [{ value: ['k'] }]);
    await page.click('text=switch label');
    assert.deepEqual(await events(page, 'change', 'switch'), [{ value: true }]);
  });

  test('switch emits change with the new boolean', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'switch', attrs: { checked: true } });
    await page.click('wx-switch');
    await page.click('wx-switch');
    assert.deepEqual(await events(page, 'change'), [{ value: false }, { value: true }]);
    await page.evaluate(() => window.mp.update('switch', 'disabled', true));
    await page.click('wx-switch');
    assert.equal((await events(page, 'change')).length, 2, 'disabled switch does not change');
  });

  test('slider: tap emits change, drag emits changing then change, values snap to step', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'slider', attrs: { min: 0, max: 100, step: 5, 'show-value': true } });
    const box = await page.locator('.wx-slider-track').boundingBox();
    await page.mouse.click(box.x + box.width * 0.72, box.y + 1);
    assert.deepEqual(await events(page, 'change'), [{ value: 70 }]);
    assert.equal(await page.locator('.wx-slider-value').textContent(), '70');
    await page.mouse.move(box.x + box.width * 0.7, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 1, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.2, box.y + 1, { steps: 5 });
    await page.mouse.up();
    const changing = await events(page, 'changing');
    assert.ok(changing.length >= 2, 'changing while dragging');
    assert.ok(changing.every((c) => c.value % 5 === 0));
    assert.deepEqual((await events(page, 'change')).at(-1), { value: 20 });
  });
});

describe('form', () => {
  const formSpec = {
    tag: 'form', children: [
      { tag: 'input', attrs: { name: 'nick', value: 'Ann' } },
      { tag: 'textarea', attrs: { name: 'bio', value: 'hi' } },
      { tag: 'checkbox-group', attrs: { name: 'fruit' }, children: [
        { tag: 'checkbox', attrs: { value: 'apple', checked: true } },
        { tag: 'checkbox', attrs: { value: 'pear' } },
      ] },
      { tag: 'radio-group', attrs: { name: 'size' }, children: [
        { tag: 'radio', attrs: { value: 's' } },
        { tag: 'radio', attrs: { value: 'm' } },
      ] },
      { tag: 'switch', attrs: { name: 'agree' } },
      { tag: 'slider', attrs: { name: 'level', value: 30 } },
      { tag: 'picker', attrs: { name: 'city', range: ['A', 'B', 'C'], value: 1 }, children: ['pick'] },
      { tag: 'picker', ref: 'date', attrs: { name: 'day', mode: 'date', value: '2024-01-02' }, children: ['date'] },
      { tag: 'input', ref: 'anon', attrs: { value: 'not collected' } },
      { tag: 'button', ref: 'submit', attrs: { 'form-type': 'submit' }, children: ['Submit'] },
      { tag: 'button', ref: 'reset', attrs: { 'form-type': 'reset' }, children: ['Reset'] },
    ],
  };

  test('submit collects every named field; reset clears them', async (t) => {
    const page = await fresh(t);
    await mount(page, formSpec);
    await page.click('wx-checkbox >> nth=1');
    await page.click('wx-radio >> nth=1');
    await page.click('wx-switch');
    await page.click('wx-input >> nth=0');
    await page.keyboard.type('a');
    await page.click('text=Submit');
    assert.deepEqual(await events(page, 'submit', 'form'), [{
      value: { nick: 'Anna', bio: 'hi', fruit: ['apple', 'pear'], size: 'm', agree: true, level: 30, city: 1, day: '2024-01-02' },
      formId: '',
    }]);
    await page.click('text=Reset');
    assert.deepEqual(await events(page, 'reset', 'form'), [{}]);
    await page.click('text=Submit');
    assert.deepEqual((await events(page, 'submit', 'form'))[1].value, {
      nick: '', bio: '', fruit: [], size: '', agree: false, level: 0, city: 1, day: '2024-01-02',
    });
  });
});

describe('picker', () => {
  test('selector: scroll to a row and confirm emits change with its index; cancel emits cancel', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'picker', attrs: { range: [{ n: '北京' }, { n: '上海' }, { n: '广州' }, { n: '深圳' }], 'range-key': 'n', value: 0 }, children: ['choose'] });
    await page.click('text=choose');
    const col = page.locator('.wx-picker-column');
    assert.deepEqual(await col.locator('.wx-picker-item').allTextContents(), ['北京', '上海', '广州', '深圳']);
    await pickRow(page, col, 2);
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change'), [{ value: 2 }]);
    await page.waitForSelector('.wx-picker-root', { state: 'detached' });
    await page.click('text=choose');
    assert.equal(await page.locator('.wx-picker-column').evaluate((c) => c.scrollTop), 68, 'reopens at the chosen row');
    await page.click('.wx-picker-cancel');
    assert.deepEqual(await events(page, 'cancel'), [{}]);
    assert.equal((await events(page, 'change')).length, 1);
  });

  test('multiSelector emits columnchange per column and change with all indexes', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'picker', attrs: { mode: 'multiSelector', range: [['a', 'b'], ['x', 'y', 'z']], value: [0, 0] }, children: ['multi'] });
    await page.click('text=multi');
    await pickRow(page, page.locator('.wx-picker-column >> nth=1'), 2);
    assert.deepEqual(await events(page, 'columnchange'), [{ column: 1, value: 2 }]);
    // The app answers columnchange by rewriting range; the open sheet follows.
    await page.evaluate(() => window.mp.update('picker', 'range', [['a', 'b'], ['p', 'q', 'r', 's']]));
    assert.deepEqual(await page.locator('.wx-picker-column >> nth=1').locator('.wx-picker-item').allTextContents(), ['p', 'q', 'r', 's']);
    await pickRow(page, page.locator('.wx-picker-column >> nth=0'), 1);
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change'), [{ value: [1, 2] }]);
  });

  test('date: changing the month rebuilds the days, confirm gives YYYY-MM-DD within start/end', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'picker', attrs: { mode: 'date', value: '2024-02-10', start: '2020-01-01', end: '2024-03-05' }, children: ['date'] });
    await page.click('text=date');
    const cols = page.locator('.wx-picker-column');
    assert.equal(await cols.nth(2).locator('.wx-picker-item').count(), 29, 'February 2024 has 29 days');
    await pickRow(page, cols.nth(1), 0);
    assert.equal(await cols.nth(2).locator('.wx-picker-item').count(), 31, 'January has 31');
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change'), [{ value: '2024-01-10' }]);
    await page.waitForSelector('.wx-picker-root', { state: 'detached' });
    await page.click('text=date');
    await pickRow(page, page.locator('.wx-picker-column').nth(1), 2);
    await page.click('.wx-picker-confirm');
    assert.deepEqual((await events(page, 'change'))[1], { value: '2024-03-05' }, 'clamped to end');
  });

  test('time and date fields=month', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'picker', ref: 'time', attrs: { mode: 'time', value: '09:30' }, children: ['time'] });
    await mount(page, { tag: 'picker', ref: 'month', attrs: { mode: 'date', fields: 'month', value: '2023-07' }, children: ['month'] });
    await page.click('text=time');
    await pickRow(page, page.locator('.wx-picker-column').nth(1), 45);
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change', 'time'), [{ value: '09:45' }]);
    await page.waitForSelector('.wx-picker-root', { state: 'detached' });
    await page.click('text=month');
    assert.equal(await page.locator('.wx-picker-column').count(), 2);
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change', 'month'), [{ value: '2023-07' }]);
  });

  test('region: value, codes and postcode; changing the province resets city and district', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'picker', attrs: { mode: 'region', value: ['广东省', '深圳市', '南山区'] }, children: ['region'] });
    await page.click('text=region');
    await page.click('.wx-picker-confirm');
    assert.deepEqual(await events(page, 'change'), [{ value: ['广东省', '深圳市', '南山区'], code: ['440000', '440300', '440305'], postcode: '518052' }]);
    await page.waitForSelector('.wx-picker-root', { state: 'detached' });
    await page.click('text=region');
    const cols = page.locator('.wx-picker-column');
    await pickRow(page, cols.nth(0), 3); // 浙江省
    assert.deepEqual(await cols.nth(1).locator('.wx-picker-item').allTextContents(), ['杭州市', '宁波市']);
    await pickRow(page, cols.nth(2), 2); // 西湖区
    await page.click('.wx-picker-confirm');
    assert.deepEqual((await events(page, 'change'))[1], { value: ['浙江省', '杭州市', '西湖区'], code: ['330000', '330100', '330106'], postcode: '310013' });
  });

  test('picker-view: scrolling a column emits change with every column index; value sets rows', async (t) => {
    const page = await fresh(t);
    const item = (s) => ({ tag: 'view', style: 'height: 40px; line-height: 40px; text-align: center', children: [s] });
    await mount(page, {
      tag: 'picker-view', attrs: { value: [1, 0], 'indicator-style': 'height: 40px' }, style: 'height: 200px; width: 300px', children: [
        { tag: 'picker-view-column', ref: 'col0', children: ['a', 'b', 'c'].map(item) },
        { tag: 'picker-view-column', ref: 'col1', children: ['x', 'y', 'z', 'w'].map(item) },
      ],
    });
    await page.waitForFunction(() => window.mp.el('col0').scrollTop === 40);
    await page.locator('wx-picker-view-column >> nth=1').evaluate((c) => c.scrollTo({ top: 120 }));
    assert.deepEqual(await waitEvents(page, 'change', 1, 'picker-view'), [{ value: [1, 3] }]);
    assert.ok((await events(page, 'pickstart')).length >= 1);
    await page.evaluate(() => window.mp.update('picker-view', 'value', [2, 1]));
    await page.waitForFunction(() => window.mp.el('col0').scrollTop === 80 && window.mp.el('col1').scrollTop === 40);
    await page.waitForTimeout(200);
    assert.equal((await events(page, 'change')).length, 1, 'a value from the logic layer is not echoed as change');
  });
});

describe('swiper', () => {
  const slides = (n) => Array.from({ length: n }, (_, i) => ({ tag: 'swiper-item', attrs: { 'item-id': `s${i}` }, children: [{ tag: 'view', style: `height: 100%; background: hsl(${i * 90}, 60%, 70%)`, children: [`slide ${i}`] }] }));

  test('circular autoplay advances and wraps from the last item to the first', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'swiper', attrs: { autoplay: true, circular: true, interval: 200, duration: 50, 'indicator-dots': true }, children: slides(3) });
    const changes = await waitEvents(page, 'change', 3);
    assert.deepEqual(changes.slice(0, 3), [
      { current: 1, currentItemId: 's1', source: 'autoplay' },
      { current: 2, currentItemId: 's2', source: 'autoplay' },
      { current: 0, currentItemId: 's0', source: 'autoplay' },
    ]);
    // Autoplay stopped (a loaded machine may have started the next slide
    // meanwhile), once every slide has finished moving, the current item
    // is in view: the first one when it stopped right after the wrap.
    await page.evaluate(() => window.mp.update('swiper', 'autoplay', false));
    let current;
    for (;;) {
      const all = await events(page, 'change');
      current = all.at(-1).current;
      await waitEvents(page, 'animationfinish', all.length);
      if ((await events(page, 'change')).length === all.length) break;
    }
    const x = await page.locator(`wx-swiper-item >> nth=${current}`).evaluate((e) => e.getBoundingClientRect().left - e.parentElement.getBoundingClientRect().left);
    assert.ok(Math.abs(x) < 1, `item ${current} at ${x}`);
  });

  test('non-circular: swiping left goes to the next item; current from the logic layer moves it', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'swiper', attrs: { duration: 50 }, children: slides(3) });
    await frames(page, 3);
    const box = await page.locator('wx-swiper').boundingBox();
    await page.mouse.move(box.x + box.width * 0.8, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + 52, { steps: 8 });
    await page.mouse.up();
    assert.deepEqual(await waitEvents(page, 'change', 1), [{ current: 1, currentItemId: 's1', source: 'touch' }]);
    assert.ok((await events(page, 'transition')).length > 0, 'transition while dragging');
    await waitEvents(page, 'animationfinish', 1);
    // Swiping right at the first item does nothing past the edge.
    await page.evaluate(() => window.mp.update('swiper', 'current', 0));
    await waitEvents(page, 'change', 2);
    assert.deepEqual((await events(page, 'change'))[1], { current: 0, currentItemId: 's0', source: '' });
    await waitEvents(page, 'animationfinish', 2);
    await page.mouse.move(box.x + box.width * 0.2, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + 52, { steps: 8 });
    await page.mouse.up();
    await frames(page, 6);
    assert.equal((await events(page, 'change')).length, 2);
  });
});

describe('scroll-view', () => {
  const items = Array.from({ length: 20 }, (_, i) => ({ tag: 'view', id: `item${i}`, style: 'height: 50px', children: [`row ${i}`] }));

  test('scrolltolower, scroll detail, scroll-into-view and scroll-top', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'scroll-view', attrs: { 'scroll-y': true, 'lower-threshold': 60 }, style: 'height: 200px', children: items });
    await frames(page, 3);
    const scroller = page.locator('.wx-scroll-view-scroller');
    await scroller.evaluate((s) => s.scrollTo({ top: 300 }));
    const [scroll] = await waitEvents(page, 'scroll', 1);
    assert.deepEqual(scroll, { scrollLeft: 0, scrollTop: 300, scrollHeight: 1000, scrollWidth: 375, deltaX: 0, deltaY: -300 });
    assert.deepEqual(await events(page, 'scrolltolower'), []);
    await scroller.evaluate((s) => s.scrollTo({ top: 760 }));
    assert.deepEqual(await waitEvents(page, 'scrolltolower', 1), [{ direction: 'bottom' }]);
    await page.evaluate(() => window.mp.update('scroll-view', 'scroll-into-view', 'item10'));
    assert.equal(await scroller.evaluate((s) => s.scrollTop), 500);
    await page.evaluate(() => window.mp.update('scroll-view', 'scroll-top', 20));
    assert.equal(await scroller.evaluate((s) => s.scrollTop), 20);
    assert.deepEqual(await waitEvents(page, 'scrolltoupper', 1), [{ direction: 'top' }]);
  });

  test('refresher: pulling past the threshold emits refresherrefresh; triggered=false restores', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'scroll-view', attrs: { 'scroll-y': true, 'refresher-enabled': true }, style: 'height: 200px', children: items });
    await frames(page, 3);
    const box = await page.locator('wx-scroll-view').boundingBox();
    await page.mouse.move(box.x + 100, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 100, box.y + 150, { steps: 6 });
    await page.mouse.up();
    assert.ok((await events(page, 'refresherpulling')).length > 0);
    assert.deepEqual(await events(page, 'refresherrefresh'), [{}]);
    await page.evaluate(() => window.mp.update('scroll-view', 'refresher-triggered', true));
    await page.evaluate(() => window.mp.update('scroll-view', 'refresher-triggered', false));
    assert.deepEqual(await events(page, 'refresherrestore'), [{}]);
  });
});

describe('rich-text sanitizer', () => {
  const cases = [
    ['<p onclick="alert(1)" class="a">hi</p>', '<p class="a">hi</p>'],
    ['<script>alert(1)</script><b>ok</b>', '<b>ok</b>'],
    ['<img src="javascript:alert(1)" onerror="alert(2)">', '<img>'],
    ['<img src=x onerror=alert(1) width="10">', '<img src="pkg:x" width="10">'],
    ['<a href="javascript:alert(1)">link</a>', '<a>link</a>'],
    ['<iframe src="https://evil.example"></iframe>after', 'after'],
    ['<style>body{display:none}</style><i>x</i>', '<i>x</i>'],
    ['<svg><script>alert(1)</script><circle onload="x()"/></svg>t', 't'],
    ['<div style="color:red;background:url(javascript:alert(1))">c</div>', '<div style="color:red">c</div>'],
    ['<div style="width: expression(alert(1)); font-size: 12px">c</div>', '<div style="font-size: 12px">c</div>'],
    ['<div style="background:u\\72l(&quot;jav\\61script:x&quot;)">e</div>', '<div>e</div>'],
    ['<custom-tag>kept text</custom-tag>', 'kept text'],
    ['<form action="x"><input value="y"></form>z', 'z'],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<img>'],
    ['<img src="data:image/png;base64,iVBORw0KGgo=">', '<img src="data:image/png;base64,iVBORw0KGgo=">'],
    ['<table width="100" onmouseover="x"><tr><td colspan="2" id="z">1</td></tr></table>', '<table width="100"><tbody><tr><td colspan="2">1</td></tr></tbody></table>'],
    ['<p>&lt;script&gt; stays text</p>', '<p>&lt;script&gt; stays text</p>'],
    ['<math><mi xlink:href="javascript:x">m</mi></math>', ''],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ''],
  ];
  for (const [input, want] of cases) {
    test(`html ${JSON.stringify(input).slice(0, 60)}`, async (t) => {
      const page = t.page ?? (await fresh(t));
      assert.equal(await page.evaluate((h) => window.mp.sanitizeHTML(h), input), want);
    });
  }

  test('node arrays: whitelist, text decoding, no handlers or javascript: URLs', async (t) => {
    const page = await fresh(t);
    const html = await page.evaluate(() => window.mp.sanitizeNodes([
      { name: 'div', attrs: { class: 'box', style: 'color: red', onclick: 'x()', id: 'n' }, children: [
        { type: 'text', text: 'a &amp; b &lt;i&gt;' },
        { name: 'img', attrs: { src: '/img/a.png', onerror: 'x()' } },
        { name: 'img', attrs: { src: 'JaVaScRiPt:alert(1)' } },
        { name: 'script', children: [{ type: 'text', text: 'alert(1)' }] },
        { name: 'blink', children: [{ type: 'text', text: 'inner' }] },
      ] },
    ]));
    assert.equal(html, '<div class="box" style="color: red">a &amp; b &lt;i&gt;<img src="/pkg//img/a.png"><img>inner</div>');
  });

  test('the widget renders nodes and executes nothing', async (t) => {
    const page = await fresh(t);
    await page.evaluate(() => { window.pwned = 0; });
    await mount(page, { tag: 'rich-text', attrs: { nodes: '<h3>Title</h3><img src="x" onerror="window.pwned=1"><p onmouseover="window.pwned=2">body</p><script>window.pwned=3</script>' } });
    await page.hover('text=body');
    await frames(page, 3);
    assert.equal(await page.evaluate(() => window.pwned), 0);
    assert.equal(await page.locator('wx-rich-text h3').textContent(), 'Title');
    await page.evaluate(() => window.mp.update('rich-text', 'nodes', [{ name: 'span', children: [{ type: 'text', text: 'second' }] }]));
    assert.equal(await page.locator('wx-rich-text').innerText(), 'second');
  });
});

describe('other widgets', () => {
  test('text decode and space', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'text', ref: 't1', attrs: { decode: true }, children: ['a&nbsp;&lt;b&gt;&amp;lt;'] });
    await mount(page, { tag: 'text', ref: 't2', attrs: { space: 'nbsp' }, children: ['x  y'] });
    await mount(page, { tag: 'text', ref: 't3', children: ['&lt;raw'] });
    assert.equal(await page.evaluate(() => window.mp.el('t1').textContent), 'a\u00a0<b>&lt;');
    assert.equal(await page.evaluate(() => window.mp.el('t2').textContent), 'x\u00a0\u00a0y');
    assert.equal(await page.evaluate(() => window.mp.el('t3').textContent), '&lt;raw');
    // The logic layer rewrites the text node (op "x"): it is decoded again, once.
    await page.evaluate(() => { window.mp.el('t1').firstChild.data = '&amp;gt;'; });
    await frames(page);
    assert.equal(await page.evaluate(() => window.mp.el('t1').textContent), '&gt;');
  });

  test('navigator emits navigate with its open-type, url and delta', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'navigator', attrs: { url: '/pages/b/b?x=1', 'open-type': 'redirect' }, children: ['go'] });
    await mount(page, { tag: 'navigator', ref: 'back', attrs: { 'open-type': 'navigateBack', delta: 2 }, children: ['back'] });
    await page.click('text=go');
    await page.click('text=back');
    assert.deepEqual(await events(page, 'navigate'), [
      { openType: 'redirect', url: '/pages/b/b?x=1', delta: 1, appId: '', path: '', extraData: {}, envVersion: 'release', target: 'self' },
      { openType: 'navigateBack', url: '', delta: 2, appId: '', path: '', extraData: {}, envVersion: 'release', target: 'self' },
    ]);
  });

  test('button: hover-class, open-type events, disabled', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'button', ref: 'share', attrs: { 'open-type': 'share', type: 'primary' }, children: ['share'] });
    await mount(page, { tag: 'button', ref: 'phone', attrs: { 'open-type': 'getPhoneNumber' }, children: ['phone'] });
    await mount(page, { tag: 'button', ref: 'off', attrs: { 'open-type': 'share', disabled: true }, children: ['off'] });
    const b = await page.locator('wx-button >> nth=0').boundingBox();
    await page.mouse.move(b.x + 10, b.y + 10);
    await page.mouse.down();
    await page.waitForFunction(() => window.mp.el('share').classList.contains('button-hover'));
    await page.mouse.up();
    await page.waitForFunction(() => !window.mp.el('share').classList.contains('button-hover'));
    await page.click('text=phone');
    await page.click('text=off', { force: true });
    assert.deepEqual(await events(page, 'opentype'), [{ type: 'share' }]);
    assert.deepEqual(await events(page, 'getphonenumber'), [{ errMsg: 'getPhoneNumber:fail not supported in this runtime' }]);
  });

  test('image: load reports the natural size, a broken src reports error; widthFix sets the height', async (t) => {
    const page = await fresh(t);
    // 4×2 red PNG
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAIAAADwyuo0AAAAEElEQVR4nGP4z8AARwzIHABvqgf5gNwAKAAAAABJRU5ErkJggg==';
    await mount(page, { tag: 'image', ref: 'ok', attrs: { src: png, mode: 'widthFix' }, style: 'width: 200px' });
    await mount(page, { tag: 'image', ref: 'bad', attrs: { src: '/missing.png' } });
    assert.deepEqual(await waitEvents(page, 'load', 1, 'ok'), [{ width: 4, height: 2 }]);
    assert.equal(await page.evaluate(() => window.mp.el('ok').offsetHeight), 100);
    const [err] = await waitEvents(page, 'error', 1, 'bad');
    assert.match(err.errMsg, /\/missing\.png/);
    assert.deepEqual(await page.evaluate(() => [window.mp.el('bad').offsetWidth, window.mp.el('bad').offsetHeight]), [320, 240]);
  });

  test('view hover-class appears while pressed, and hover-stop-propagation keeps it off the ancestor', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'view', ref: 'outer', attrs: { 'hover-class': 'outer-on', 'hover-stay-time': 50 }, style: 'padding: 20px', children: [
      { tag: 'view', ref: 'inner', attrs: { 'hover-class': 'inner-on', 'hover-stop-propagation': true, 'hover-stay-time': 50 }, children: ['inner'] },
    ] });
    const b = await page.locator('text=inner').boundingBox();
    await page.mouse.move(b.x + 5, b.y + 5);
    await page.mouse.down();
    await page.waitForFunction(() => window.mp.el('inner').classList.contains('inner-on'));
    assert.equal(await page.evaluate(() => window.mp.el('outer').classList.contains('outer-on')), false);
    await page.mouse.up();
    await page.waitForFunction(() => !window.mp.el('inner').classList.contains('inner-on'));
    const o = await page.locator('wx-view >> nth=0').boundingBox();
    await page.mouse.move(o.x + 3, o.y + 3);
    await page.mouse.down();
    await page.waitForFunction(() => window.mp.el('outer').classList.contains('outer-on'));
    await page.mouse.up();
  });

  test('lazy-load images start loading only when scrolled near the viewport', async (t) => {
    const page = await fresh(t);
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAIAAADwyuo0AAAAEElEQVR4nGP4z8AARwzIHABvqgf5gNwAKAAAAABJRU5ErkJggg==';
    await mount(page, { tag: 'view', style: 'height: 6000px' });
    await mount(page, { tag: 'image', ref: 'lazy', attrs: { src: png, 'lazy-load': true } });
    await page.waitForTimeout(300);
    assert.deepEqual(await events(page, 'load', 'lazy'), [], 'not loaded while 8 screens away');
    await page.evaluate(() => window.scrollTo(0, 4000));
    assert.deepEqual(await waitEvents(page, 'load', 1, 'lazy'), [{ width: 4, height: 2 }]);
  });

  test('progress emits activeend when the active animation finishes', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'progress', attrs: { percent: 40, active: true, duration: 1, 'show-info': true } });
    assert.deepEqual(await waitEvents(page, 'activeend', 1), [{ curPercent: 40 }]);
    assert.equal(await page.locator('.wx-progress-info').textContent(), '40%');
  });

  test('movable-view follows a horizontal drag inside its area and reports change', async (t) => {
    const page = await fresh(t);
    await mount(page, { tag: 'movable-area', style: 'width: 300px; height: 100px; background: #eee', children: [
      { tag: 'movable-view', attrs: { direction: 'horizontal' }, style: 'width: 50px; height: 50px; background: #07c160' },
    ] });
    await frames(page, 3);
    const b = await page.locator('wx-movable-view').boundingBox();
    await page.mouse.move(b.x + 25, b.y + 25);
    await page.mouse.down();
    await page.mouse.move(b.x + 125, b.y + 75, { steps: 5 });
    await page.mouse.move(b.x + 500, b.y + 75, { steps: 5 });
    await page.mouse.up();
    const changes = await events(page, 'change');
    assert.ok(changes.some((c) => c.source === 'touch' && c.x > 0 && c.x < 250 && c.y === 0), 'moves with the pointer');
    assert.deepEqual(changes.at(-1), { x: 250, y: 0, source: 'touch-out-of-bounds' }, 'x stops at the area edge, y does not move');
    assert.equal(await page.locator('wx-movable-view').evaluate((e) => e.getBoundingClientRect().left - e.parentElement.getBoundingClientRect().left), 250);
  });

  test('placeholders and web-view render labels and never an iframe', async (t) => {
    const page = await fresh(t);
    for (const tag of ['video', 'map', 'canvas', 'camera']) await mount(page, { tag });
    await mount(page, { tag: 'web-view', attrs: { src: 'https://example.com/page' } });
    assert.equal(await page.locator('iframe').count(), 0);
    assert.equal(await page.locator('text=not supported in this runtime').count(), 4);
    // The sandbox may not open windows: "Open in browser" asks the shell (through the logic layer).
    assert.equal(await page.locator('wx-web-view a').count(), 0);
    await page.locator('wx-web-view button', { hasText: 'Open in browser' }).click();
    assert.deepEqual(await events(page, 'openlink'), [{ url: 'https://example.com/page' }]);
  });
});

describe('gallery', () => {
  test('screenshot of every component', async (t) => {
    const page = await fresh(t, { width: 390, height: 844 });
    const section = (title, ...children) => ({ tag: 'view', style: 'padding: 12px 16px; border-bottom: 8px solid #ededed', children: [
      { tag: 'view', style: 'font-size: 13px; color: rgba(0,0,0,.5); margin-bottom: 8px', children: [title] }, ...children] });
    const row = (...children) => ({ tag: 'view', style: 'display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin: 6px 0', children });
    const png = 'data:image/svg+xml;utf8,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90"><rect width="160" height="90" fill="#9ed8b8"/><circle cx="120" cy="28" r="14" fill="#fff3b0"/><path d="M0 90 L50 40 L90 75 L115 55 L160 90Z" fill="#2e8b57"/></svg>');
    await mount(page, { tag: 'view', style: 'background: #fff', children: [
      section('view · text · icon',
        row({ tag: 'view', attrs: { 'hover-class': 'h' }, style: 'padding: 8px 12px; background: #f7f7f7; border-radius: 6px', children: ['view'] },
          { tag: 'text', attrs: { decode: true }, children: ['text &amp; decode'] }),
        row(...['success', 'success_no_circle', 'info', 'warn', 'waiting', 'cancel', 'download', 'search', 'clear'].map((type) => ({ tag: 'icon', attrs: { type } })))),
      section('button',
        { tag: 'button', attrs: { type: 'primary' }, children: ['主要操作'] },
        { tag: 'button', attrs: {}, children: ['次要操作'] },
        { tag: 'button', attrs: { type: 'warn' }, children: ['警告类操作'] },
        { tag: 'button', attrs: { type: 'primary', loading: true }, children: ['加载中'] },
        { tag: 'button', attrs: { type: 'primary', disabled: true }, children: ['禁用'] },
        row({ tag: 'button', attrs: { size: 'mini', type: 'primary' }, children: ['mini'] },
          { tag: 'button', attrs: { size: 'mini', plain: true, type: 'primary' }, children: ['plain'] },
          { tag: 'button', attrs: { size: 'mini', type: 'warn' }, children: ['warn'] })),
      section('input · textarea',
        { tag: 'input', attrs: { placeholder: '请输入文本' }, style: 'border-bottom: 1px solid #eee; padding: 8px 0; height: 24px' },
        { tag: 'input', attrs: { value: 'secret', password: true }, style: 'border-bottom: 1px solid #eee; padding: 8px 0; height: 24px' },
        { tag: 'textarea', attrs: { placeholder: '多行输入' }, style: 'width: 100%; height: 60px; margin-top: 8px; background: #f7f7f7' }),
      section('checkbox · radio · switch · label',
        row({ tag: 'checkbox-group', style: 'display: flex; gap: 16px', children: [
          { tag: 'label', children: [{ tag: 'checkbox', attrs: { value: 'a', checked: true } }, '苹果'] },
          { tag: 'label', children: [{ tag: 'checkbox', attrs: { value: 'b' } }, '香蕉'] },
          { tag: 'label', children: [{ tag: 'checkbox', attrs: { value: 'c', disabled: true } }, '禁用'] }] }),
        row({ tag: 'radio-group', style: 'display: flex; gap: 16px', children: [
          { tag: 'label', children: [{ tag: 'radio', attrs: { value: 'x', checked: true } }, '中国'] },
          { tag: 'label', children: [{ tag: 'radio', attrs: { value: 'y' } }, '美国'] }] }),
        row({ tag: 'switch', attrs: { checked: true } }, { tag: 'switch' }, { tag: 'switch', attrs: { type: 'checkbox', checked: true } })),
      section('slider · progress',
        { tag: 'slider', attrs: { value: 40, 'show-value': true }, style: 'margin: 10px 0' },
        { tag: 'progress', attrs: { percent: 60, 'show-info': true, 'stroke-width': 4 }, style: 'margin: 12px 0' }),
      section('picker · picker-view',
        { tag: 'picker', attrs: { range: ['中国', '美国', '日本'], value: 0 }, children: [{ tag: 'view', style: 'padding: 8px 0', children: ['选择国家：中国 ›'] }] },
        { tag: 'picker-view', attrs: { value: [1, 2], 'indicator-style': 'height: 34px' }, style: 'height: 170px; width: 100%', children: [
          { tag: 'picker-view-column', children: ['2023年', '2024年', '2025年'].map((s) => ({ tag: 'view', style: 'line-height: 34px; text-align: center', children: [s] })) },
          { tag: 'picker-view-column', children: ['1月', '2月', '3月', '4月', '5月'].map((s) => ({ tag: 'view', style: 'line-height: 34px; text-align: center', children: [s] })) }] }),
      section('scroll-view · swiper',
        { tag: 'scroll-view', attrs: { 'scroll-x': true, 'show-scrollbar': false }, style: 'white-space: nowrap', children: Array.from({ length: 8 }, (_, i) => ({ tag: 'view', style: `display: inline-block; width: 90px; height: 60px; margin-right: 8px; border-radius: 6px; background: hsl(${140 + i * 20}, 45%, 80%)`, children: [] })) },
        { tag: 'swiper', attrs: { 'indicator-dots': true, 'indicator-active-color': '#07c160', 'previous-margin': '20px', 'next-margin': '20px' }, style: 'height: 120px; margin-top: 10px', children: [0, 1, 2].map((i) => ({ tag: 'swiper-item', children: [{ tag: 'view', style: `height: 100%; margin: 0 6px; border-radius: 8px; background: hsl(${150 + i * 40}, 50%, 72%); display: flex; align-items: center; justify-content: center; color: #fff; font-size: 20px`, children: [`swiper ${i + 1}`] }] })) }),
      section('image · rich-text · navigator',
        row({ tag: 'image', attrs: { src: png, mode: 'aspectFill' }, style: 'width: 100px; height: 70px; border-radius: 6px' },
          { tag: 'image', attrs: { src: png, mode: 'aspectFit' }, style: 'width: 100px; height: 70px; background: #f2f2f2' }),
        { tag: 'rich-text', attrs: { nodes: '<p>rich-text with <b>bold</b>, <i>italic</i> and <span style="color:#07c160">color</span><script>x</script></p>' } },
        { tag: 'navigator', attrs: { url: '/pages/x/x' }, style: 'color: #576b95; padding: 6px 0', children: ['navigator → /pages/x/x'] }),
      section('movable · cover · placeholders',
        { tag: 'movable-area', style: 'width: 100%; height: 60px; background: #f2f2f2; border-radius: 6px', children: [
          { tag: 'movable-view', attrs: { direction: 'all', x: 40, y: 10 }, style: 'width: 40px; height: 40px; background: #07c160; border-radius: 6px' }] },
        row({ tag: 'video', style: 'width: 160px; height: 90px' }, { tag: 'map', style: 'width: 160px; height: 90px' }),
        { tag: 'web-view', attrs: { src: 'https://developers.weixin.qq.com/' }, style: 'min-height: 100px; margin-top: 8px' }),
    ] });
    await page.waitForTimeout(700); // images decode and the progress bar fills
    // docs/screenshots keeps a copy: refreshed there only when asked (as web/shell/e2e/harness.js's docScreenshot).
    const out = join(process.env.SUPERAPP_DOC_SCREENSHOTS === '1' ? join(repo, 'docs', 'screenshots') : process.env.SCREENSHOT_DIR || '/tmp/superapp-e2e-screenshots', 'mp-components.png');
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    // A picker sheet open over the page.
    await page.click('text=选择国家');
    await page.waitForTimeout(350);
    await page.screenshot({ path: join(process.env.TMPDIR || '/tmp', 'mp-components-picker.png') });
  });
});
