// Runs the bundled logic layer (dist/logic.js) in a Node vm context, with
// hand-written templates standing in for compiled WXML, and a fake view
// that applies the ops to an in-memory tree and acks them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const logicJS = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../dist/logic.js'), 'utf8');

/** h("view", {class: "a"}, "text", h(...)) → a VElement; attr "key" becomes the key. */
export function h(tag, attr = {}, ...children) {
  const a = { ...attr };
  const el = { tag, attr: a, children: children.flat() };
  if ('key' in a) {
    el.key = a.key;
    delete a.key;
  }
  return el;
}

export const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

const BASE_MANIFEST = { appid: 'wxtest', hash: 'x', app: { pages: [] }, pages: {}, components: {}, packages: [{ root: '', files: {}, size: 0 }] };

/**
 * Starts a logic layer. opts: {modules: {path: fn(require, module, exports, g)}, templates: {"x.wxml": data => VNode[]},
 * app: app.json fields, pages: {route: json}, components: {path: json}, storage, launch}.
 */
export async function start(opts) {
  const out = [];
  const listeners = {};
  // importScripts in the worker takes a blob: URL of a Blob made from text:
  // the sandbox's Blob keeps its parts so the script can run synchronously.
  const blobs = new Map();
  class TextBlob extends Blob {
    constructor(parts, o) {
      super(parts, o);
      this.parts = parts;
    }
  }
  const sandbox = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    URL: {
      createObjectURL(b) {
        const url = 'blob:test/' + (blobs.size + 1);
        blobs.set(url, b);
        return url;
      },
      revokeObjectURL(url) {
        blobs.delete(url);
      },
    },
    Blob: TextBlob,
    importScripts(url) {
      const b = blobs.get(url);
      if (!b) throw new Error('importScripts: unknown URL ' + url);
      vm.runInContext(b.parts.map((p) => (typeof p === 'string' ? p : p.parts.join(''))).join(''), sandbox);
    },
    structuredClone,
    postMessage: (m) => out.push(structuredClone(m)),
    // Every listener of a type runs (the API code listens for "apiEvent" beside the core).
    addEventListener: (t, f) => {
      const prev = listeners[t];
      listeners[t] = prev ? (e) => (prev(e), f(e)) : f;
    },
  };
  sandbox.self = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(logicJS, sandbox);
  const g = sandbox;
  for (const [path, fn] of Object.entries(opts.modules || {})) g.define(path, (require, module, exports) => fn(require, module, exports, g));
  g.__R.render = (path, data) => {
    const t = (opts.templates || {})[path];
    if (!t) throw new Error('no template ' + path);
    return JSON.parse(JSON.stringify(t(data)));
  };
  const pages = {};
  for (const p of opts.app?.pages || []) pages[p] = { package: '' };
  Object.assign(pages, opts.pages || {});
  const manifest = { ...BASE_MANIFEST, app: { ...opts.app }, pages, components: opts.components || {} };
  const view = new FakeView(out, (m) => listeners.message({ data: m }), opts);
  const env = { windowWidth: 375, windowHeight: 623, screenWidth: 375, screenHeight: 667, pixelRatio: 2, statusBarHeight: 0, language: 'en', platform: 'web', system: 'Web', brand: 'x', model: 'y', version: '8', SDKVersion: '3', theme: 'light' };
  if (opts.manifest) opts.manifest(manifest);
  view.send({ t: 'boot', manifest, env, storage: opts.storage || {}, launch: opts.launch || { path: '', query: {}, scene: 1001 }, version: opts.version });
  await view.pump();
  return { g, view, wx: g.wx, listeners };
}

class FakeView {
  constructor(out, send, opts) {
    this.out = out;
    this.sendRaw = send;
    this.opts = opts;
    this.pages = new Map(); // id → {route, nodes: Map}
    this.stack = [];
    this.calls = [];
    this.autoAck = true;
    this.held = [];
  }
  send(m) {
    this.sendRaw(structuredClone(m));
  }
  async pump() {
    for (let round = 0; round < 50; round++) {
      await settle();
      if (!this.out.length) return;
      const msgs = this.out.splice(0);
      for (const m of msgs) this.handle(m);
    }
  }
  handle(m) {
    switch (m.t) {
      case 'page':
        this.pages.set(m.page, { route: m.route, window: m.window, nodes: new Map([[0, { id: 0, tag: 'page', attrs: {}, children: [] }]]) });
        break;
      case 'close':
        this.pages.delete(m.page);
        break;
      case 'stack':
        this.stack = m.pages;
        break;
      case 'ops': {
        const p = this.pages.get(m.page);
        for (const op of m.ops) this.apply(p, op);
        if (m.ack !== undefined) {
          if (this.autoAck) this.send({ t: 'acked', ack: m.ack });
          else this.held.push(m.ack);
        }
        break;
      }
      case 'call': {
        this.calls.push({ name: m.name, args: m.args });
        let answer;
        try {
          answer = this.opts.answer ? this.opts.answer(m.name, m.args) : undefined;
        } catch (e) {
          this.send({ t: 'result', id: m.id, ok: false, error: e.message });
          break;
        }
        this.send({ t: 'result', id: m.id, ok: true, value: answer === undefined ? null : answer });
        break;
      }
    }
  }
  apply(p, op) {
    const nodes = p.nodes;
    const detach = (n) => {
      if (n.parent) {
        const i = n.parent.children.indexOf(n);
        if (i >= 0) n.parent.children.splice(i, 1);
        n.parent = null;
      }
    };
    switch (op[0]) {
      case 'e':
        nodes.set(op[1], { id: op[1], tag: op[2], attrs: { ...op[3] }, children: [] });
        break;
      case 't':
        nodes.set(op[1], { id: op[1], text: op[2] });
        break;
      case 'i': {
        const parent = nodes.get(op[1]);
        const n = nodes.get(op[2]);
        if (!parent || !n) throw new Error(`insert of unknown node ${JSON.stringify(op)}`);
        detach(n);
        const before = op[3] ? nodes.get(op[3]) : null;
        const i = before ? parent.children.indexOf(before) : -1;
        if (op[3] && i < 0) throw new Error(`insert before a non-child ${JSON.stringify(op)}`);
        if (i < 0) parent.children.push(n);
        else parent.children.splice(i, 0, n);
        n.parent = parent;
        break;
      }
      case 'r': {
        const n = nodes.get(op[1]);
        if (!n) throw new Error('remove of unknown node ' + op[1]);
        detach(n);
        const forget = (x) => {
          nodes.delete(x.id);
          (x.children || []).forEach(forget);
        };
        forget(n);
        break;
      }
      case 'a': {
        const n = nodes.get(op[1]);
        if (!n) throw new Error('attr of unknown node ' + op[1]);
        if (op[3] === null) delete n.attrs[op[2]];
        else n.attrs[op[2]] = op[3];
        break;
      }
      case 'x':
        nodes.get(op[1]).text = op[2];
        break;
    }
  }
  top() {
    return this.pages.get(this.stack[this.stack.length - 1]);
  }
  /** The visible page as compact markup: <view class="a">text</view>. */
  html(page = this.top()) {
    const ser = (n) => {
      if (n.text !== undefined) return n.text;
      const attrs = Object.entries(n.attrs)
        .filter(([k]) => k !== '$ev')
        .map(([k, v]) => ` ${k}="${v}"`)
        .join('');
      return `<${n.tag}${attrs}>${n.children.map(ser).join('')}</${n.tag}>`;
    };
    return page.nodes.get(0).children.map(ser).join('');
  }
  /** The id of the first node (depth first) matching pred. */
  find(pred, page = this.top()) {
    const walk = (n) => {
      if (n.tag && pred(n)) return n;
      for (const c of n.children || []) {
        const r = walk(c);
        if (r) return r;
      }
      return null;
    };
    return walk(page.nodes.get(0));
  }
  byId(id, page = this.top()) {
    return this.find((n) => n.attrs.id === id, page);
  }
  async event(node, type, detail = {}, page = this.top()) {
    const pid = [...this.pages.entries()].find(([, p]) => p === page)[0];
    this.send({ t: 'event', page: pid, node: node.id, type, detail });
    await this.pump();
  }
  async tap(id) {
    const n = this.byId(id);
    if (!n) throw new Error('no node #' + id);
    await this.event(n, 'tap', { x: 1, y: 1 });
  }
}
