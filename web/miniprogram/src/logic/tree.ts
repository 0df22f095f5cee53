// Component instances and the rendered tree of a page. Every instance
// renders its own template (Registry.render) into a list of logic nodes;
// custom component tags become hosts of child instances; a re-render diffs
// the new virtual tree against the old logic nodes and queues DOM ops.
//
// DOM shape (what the view builds from the ops): every logic node is one
// DOM node; a host element <wx-TAG wx-host="S"> contains the component's
// template; <slot> is an element <wx-slot> (display: contents) holding the
// light children assigned to it.

import { camel } from '../names';
import type { Op, WindowConfig } from '../protocol';
import { clone, getPath, parsePath, patternValue, setPath, triggers, type Seg } from './datapath';
import { coerce, type Def, type RelationDef } from './define';
import { dirname, joinPath } from './modules';

import type { VElement, VNode } from '../wxml/runtime';
export type { VElement, VNode };

/** The WXML renderer: Registry.render of web/miniprogram/src/wxml. */
export let renderTemplate: (path: string, data: Record<string, unknown>) => VNode[] = () => [];
export function setRenderer(r: typeof renderTemplate): void {
  renderTemplate = r;
}

/** Resolves a custom component tag for an instance (usingComponents), loading its definition. */
export let resolveComponent: (owner: Inst, tag: string) => Def | null = () => null;
export function setComponentResolver(r: typeof resolveComponent): void {
  resolveComponent = r;
}

/**
 * componentPlaceholder: the tag to render instead of `tag` in `owner`'s
 * template while that component's code is not loaded yet (its subpackage
 * is being fetched; the runtime re-renders the owner once it is), or null
 * to render `tag` itself.
 */
export let placeholderOf: (owner: Inst, tag: string) => string | null = () => null;
export function setPlaceholderResolver(r: typeof placeholderOf): void {
  placeholderOf = r;
}

/**
 * The element with its placeholder's tag while its component is not
 * available. The shape then differs from the real tag's, so the real
 * component replaces the placeholder node on the re-render after loading.
 */
function withPlaceholder(owner: Inst, v: VNode): VNode {
  if (typeof v !== 'object' || v === null || v.tag === 'slot') return v;
  const ph = placeholderOf(owner, v.tag);
  return ph ? { ...v, tag: ph } : v;
}

/** Reports an exception from developer code (App.onError, wx.onError, console). */
export let reportError: (where: string, e: unknown) => void = (where, e) => console.error(where, e);
export function setErrorReporter(r: typeof reportError): void {
  reportError = r;
}

export interface Listener {
  type: string;
  capture: boolean;
  /** "bind" | "catch" | "mut-bind" */
  mode: string;
  /** A method name, or a WXS function (an event-response function bound as "{{m.f}}"). */
  handler: unknown;
}

export interface LNode {
  id: number;
  /** "#text" for a text node. */
  tag: string;
  text: string;
  attrs: Record<string, unknown>;
  /** rawAttr of the VElement: "model:prop" → "{{path}}". */
  raw: Record<string, string> | undefined;
  /** generics of the VElement, for a host: "wx-name" → "wx-tag". */
  generics: Record<string, string> | undefined;
  /** What identifies the source element among unkeyed siblings (see shapeOf). */
  shape: string;
  /** Classes and style set by WXS (ComponentDescriptor addClass/setStyle), kept across renders. */
  wxs: { classes: string[]; style: string } | null;
  /** The rendering attributes last sent to the view. */
  sent: Record<string, unknown>;
  listeners: Listener[];
  children: LNode[];
  /** Parent in the owner's template; null at the template's root. */
  parent: LNode | null;
  owner: Inst;
  /** The instance this node hosts, for a custom component tag. */
  comp: Inst | null;
  key: string | number | undefined;
  /** Id of the DOM parent it was last inserted into (-1: not in the DOM). */
  placedIn: number;
  /** Its index in its list when last placed (the DOM order of kept nodes). */
  pos: number;
}

/** The page a tree belongs to: ids, queued ops, setData callbacks. */
export class PageCtx {
  nodes = new Map<number, LNode>();
  nextId = 1;
  ops: Op[] = [];
  callbacks: Array<() => void> = [];
  root!: Inst;
  alive = true;
  shown = false;
  options: Record<string, string> = {};
  /** Instances whose ready lifetime waits for the first render to be acked. */
  pendingReady: Inst[] | null = [];
  constructor(public id: number, public route: string, public window: WindowConfig) {}
}

let flushScheduled = false;
const dirtyPages = new Set<PageCtx>();
export let sendOps: (page: PageCtx, ops: Op[], callbacks: Array<() => void>) => void = () => {};
export function setOpSender(s: typeof sendOps): void {
  sendOps = s;
}

function queue(page: PageCtx, op: Op): void {
  page.ops.push(op);
  scheduleFlush(page);
}

export function scheduleFlush(page: PageCtx): void {
  dirtyPages.add(page);
  if (!flushScheduled) {
    flushScheduled = true;
    Promise.resolve().then(flush);
  }
}

/** Sends every page's queued ops (one message per page) now. */
export function flush(): void {
  flushScheduled = false;
  for (const page of [...dirtyPages]) {
    dirtyPages.delete(page);
    if (!page.alive) continue;
    const ops = page.ops;
    const cbs = page.callbacks;
    page.ops = [];
    page.callbacks = [];
    if (ops.length || cbs.length) sendOps(page, ops, cbs);
  }
}

function call(inst: Inst, where: string, f: Function, args: unknown[]): unknown {
  try {
    return f.apply(inst.pub, args);
  } catch (e) {
    const errs = inst.def.lifetimes.error;
    if (errs && where !== 'error') for (const h of errs) call(inst, 'error', h, [e]);
    reportError(`${inst.def.is}: ${where}`, e);
    return undefined;
  }
}

// wcc keeps attribute names holding ":" and camelCases the others, so
// capture-bindtap arrives as captureBindtap and mut-bindtap as mutBindtap.
const EVENT_ATTR = /^(capture-catch|capture-mut-bind|capture-bind|mut-bind|catch|bind|captureCatch|captureMutBind|captureBind|mutBind)(:?)(.+)$/;
const SKIPPED_ATTR = /^(data-|mark:|generic:|model:|slot$|wx:)/;
/** A WXS function bound to an event attribute: "$wxs:bindtap". */
const WXS_PREFIX = '$wxs:';

export { camel };

/** The event an attribute listens to, or null: [type, capture, mode]. */
function eventOf(name: string): [string, boolean, string] | null {
  const m = EVENT_ATTR.exec(name.startsWith(WXS_PREFIX) ? name.slice(WXS_PREFIX.length) : name);
  if (!m) return null;
  const prefix = m[1].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
  const mode = prefix.endsWith('catch') ? 'catch' : prefix.endsWith('mut-bind') ? 'mut-bind' : 'bind';
  return [m[3], prefix.startsWith('capture-'), mode];
}

/** Whether a listener's type names event type (bindmy-event arrives camelCased as bindmyEvent). */
export function typeMatches(listened: string, type: string): boolean {
  return listened === type || camel(listened) === camel(type);
}

/** Public instance objects carry their core under this key. */
export const CORE = Symbol('core');

let instanceCounter = 0;

/** A component or page instance. */
export class Inst {
  uid = ++instanceCounter;
  data: Record<string, unknown>;
  /** The object developer code sees as `this`. */
  pub: Record<string | symbol, unknown>;
  /** The root nodes of its template. */
  shadow: LNode[] = [];
  /** The node of the owner's template hosting it; null for a page. */
  host: LNode | null;
  attached = false;
  detached = false;
  rendered = false;
  private depth = 0;
  private pendingPaths: Seg[][] = [];
  /** Properties changed by the component's own setData, for model:prop write-back. */
  private modelDirty = new Set<string>();
  links = new Map<string, Set<Inst>>();
  /** Lower-side relations (parent, ancestor, …): key → the linked instance and its reciprocal key. */
  upperLinks = new Map<string, { target: Inst; backKey: string }>();
  constructor(public def: Def, public page: PageCtx, host: LNode | null, proto: object) {
    this.host = host;
    this.data = clone(def.data);
    for (const [k, p] of Object.entries(def.properties)) if (!hasOwn(this.data, k)) this.data[k] = clone(p.value);
    const pub = Object.create(proto) as Record<string | symbol, unknown>;
    pub[CORE] = this;
    for (const [k, f] of Object.entries(def.methods)) pub[k] = f;
    if (def.pageStyle) for (const [k, v] of Object.entries(def.fields)) pub[k] = clone(v);
    pub.data = this.data;
    pub.properties = this.data;
    pub.is = def.is;
    this.pub = pub;
  }

  get owner(): Inst | null {
    return this.host ? this.host.owner : null;
  }

  /** Style scope of the component ("" for pages). */
  scope = '';
  /** Class handling: "isolated", "shared" (S--x x) or "none" (a page). */
  classMode: 'isolated' | 'shared' | 'none' = 'none';

  lifetime(name: string, args: unknown[] = []): void {
    const fns = this.def.lifetimes[name];
    if (fns) for (const f of fns) call(this, name, f, args);
  }

  pageLifetime(name: string, args: unknown[] = []): void {
    const fns = this.def.pageLifetimes[name];
    if (fns) for (const f of fns) call(this, 'pageLifetimes.' + name, f, args);
  }

  /** Calls a method or page hook by name on the public instance. */
  hook(name: string, args: unknown[] = []): unknown {
    const f = this.pub[name];
    if (typeof f === 'function') return call(this, name, f, args);
    return undefined;
  }

  // ---- data ----

  setData(obj: Record<string, unknown>, cb?: () => void): void {
    if (this.detached) return;
    if (obj === null || typeof obj !== 'object') throw new Error('setData: the first argument must be an object');
    this.depth++;
    try {
      for (const key of Object.keys(obj)) {
        let v = obj[key];
        if (v === undefined) {
          console.warn(`Setting data field "${key}" to undefined is invalid.`);
          continue;
        }
        const path = parsePath(key);
        v = clone(v);
        const top = String(path[0]);
        const prop = hasOwn(this.def.properties, top) ? this.def.properties[top] : undefined;
        const old = prop && prop.observer ? clone(this.data[top]) : undefined;
        if (prop && path.length === 1) v = coerce(prop, v);
        setPath(this.data, path, v);
        if (prop && this.host && this.host.raw) this.modelDirty.add(top);
        this.pendingPaths.push(path);
        if (prop && prop.observer) {
          const nv = this.data[top];
          if (nv !== old || typeof nv === 'object') this.propObserver(top, nv, old);
        }
      }
      this.runObservers();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      this.rerender();
      this.writeBackModels();
    }
    if (cb) {
      this.page.callbacks.push(() => call(this, 'setData callback', cb, []));
      scheduleFlush(this.page);
    }
  }

  /**
   * model:prop on this component's host: a property the component changed
   * with setData is written back to the owner's data path.
   */
  writeBackModels(): void {
    const host = this.host;
    const dirty = [...this.modelDirty];
    this.modelDirty.clear();
    // Before attached the owner is still building its tree (and WeChat does not allow setData in created).
    if (!host || this.detached || !this.attached) return;
    const out: Record<string, unknown> = {};
    for (const prop of dirty) {
      const path = modelPath(host, prop);
      if (path === null) continue;
      const v = this.data[prop];
      if (typeof v !== 'object' && getPath(host.owner.data, parsePath(path)) === v) continue;
      out[path] = v;
    }
    if (Object.keys(out).length) host.owner.setData(out);
  }

  propObserver(name: string, nv: unknown, old: unknown): void {
    const ob = this.def.properties[name].observer;
    const f = typeof ob === 'string' ? this.pub[ob] : ob;
    if (typeof f === 'function') call(this, `property "${name}" observer`, f, [nv, old, [name]]);
  }

  runObservers(): void {
    while (this.pendingPaths.length) {
      const changed = this.pendingPaths;
      this.pendingPaths = [];
      for (const ob of this.def.observers) {
        if (!ob.patterns.some((p) => changed.some((c) => triggers(p, c)))) continue;
        call(this, 'observer', ob.fn, ob.patterns.map((p) => patternValue(this.data, p)));
      }
    }
  }

  /** Properties passed by the owner's template changed. */
  setProps(props: Record<string, unknown>, initial: boolean): void {
    this.depth++;
    try {
      for (const [k, raw] of Object.entries(props)) {
        const p = this.def.properties[k];
        const v = coerce(p, raw);
        const old = this.data[k];
        if (!initial && v === old && typeof v !== 'object') continue;
        if (initial && v === old) continue;
        this.data[k] = v;
        this.pendingPaths.push([k]);
        if (p.observer && (v !== old || typeof v === 'object')) this.propObserver(k, v, old);
      }
      this.runObservers();
    } finally {
      this.depth--;
    }
  }

  renderData(): Record<string, unknown> {
    const pure = this.def.options.pureDataPattern;
    if (!pure) return this.data;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(this.data)) if (!pure.test(k)) out[k] = this.data[k];
    return out;
  }

  rerender(): void {
    if (!this.rendered || this.detached || !this.page.alive) return;
    const created: Inst[] = [];
    this.shadow = reconcile(this, null, this.shadow, this.renderVNodes(), created);
    place(this.shadow, this);
    if (this.host) placeLight(this.host);
    settleNew(created, this.page);
  }

  renderVNodes(): VNode[] {
    try {
      return renderTemplate(this.def.is + '.wxml', this.renderData());
    } catch (e) {
      reportError(`render ${this.def.is}.wxml`, e);
      return [];
    }
  }
}

// ---- building and diffing ----

function newNode(owner: Inst, parent: LNode | null, tag: string): LNode {
  const page = owner.page;
  const node: LNode = {
    id: page.nextId++, tag, text: '', attrs: {}, raw: undefined, generics: undefined, shape: tag, wxs: null, sent: {},
    listeners: [], children: [], parent, owner, comp: null, key: undefined, placedIn: -1, pos: -1,
  };
  page.nodes.set(node.id, node);
  return node;
}

function parseListeners(attrs: Record<string, unknown>): Listener[] {
  const out: Listener[] = [];
  for (const k of Object.keys(attrs)) {
    const ev = eventOf(k);
    if (!ev) continue;
    out.push({ type: ev[0], capture: ev[1], mode: ev[2], handler: attrs[k] });
  }
  return out;
}

/** Class names an instance's template writes, as the view must see them. */
export function resolveClasses(inst: Inst, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const out: string[] = [];
  for (const tok of String(value).split(/\s+/)) {
    if (!tok) continue;
    if (inst.def.externalClasses.includes(tok) && inst.host) {
      const given = externalClassOf(inst.host, tok);
      const owner = inst.host.owner;
      if (given) out.push(resolveClasses(owner, given));
      continue;
    }
    if (tok[0] === '~') {
      out.push(tok.slice(1));
      continue;
    }
    if (tok[0] === '^') {
      const o = inst.owner;
      out.push(o ? scopeClass(o, tok.slice(1)) : tok.slice(1));
      continue;
    }
    out.push(scopeClass(inst, tok));
  }
  return out.filter(Boolean).join(' ');
}

/** The classes the owner gives an external class (my-class="x" arrives as myClass). */
function externalClassOf(host: LNode, name: string): unknown {
  const v = host.attrs[name];
  return v !== undefined ? v : host.attrs[camel(name)];
}

function scopeClass(inst: Inst, tok: string): string {
  if (inst.classMode === 'none' || !inst.scope) return tok;
  if (inst.classMode === 'isolated') return inst.scope + '--' + tok;
  return inst.scope + '--' + tok + ' ' + tok;
}

/** The rendering attributes of a node of `owner`'s template. */
function renderingAttrs(owner: Inst, n: LNode, attrs: Record<string, unknown>, isHost: Inst | null): Record<string, unknown> {
  const tag = n.tag;
  const out: Record<string, unknown> = {};
  const events: string[] = [];
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    const ev = eventOf(k);
    if (ev) {
      if (v !== '' && v !== undefined && v !== null && !events.includes(ev[0])) events.push(ev[0]);
      continue;
    }
    if (SKIPPED_ATTR.test(k) || k.startsWith('$')) continue;
    if (k === 'class') {
      const c = resolveClasses(owner, v);
      if (c) out.class = c;
      continue;
    }
    if (isHost) {
      if (k === 'id' || k === 'style' || k === 'hidden') out[k] = v;
      continue;
    }
    if (tag === 'slot' && k === 'name') continue;
    if (v === undefined) continue;
    out[k] = v;
  }
  // A built-in with model:prop reports its value changes (the write-back needs them).
  if (!isHost && n.raw && Object.keys(n.raw).some((k) => k.startsWith('model:'))) {
    for (const t of ['input', 'change']) if (!events.includes(t)) events.push(t);
  }
  if (isHost) {
    if (isHost.scope) out['wx-host'] = isHost.scope;
    if (isHost.def.options.virtualHost) out['wx-virtual'] = true;
  }
  if (n.wxs) {
    if (n.wxs.classes.length) out.class = [out.class, ...n.wxs.classes].filter(Boolean).join(' ');
    if (n.wxs.style) out.style = [out.style, n.wxs.style].filter((x) => x !== undefined && x !== null && x !== '').join(';');
  }
  if (events.length) out.$ev = events;
  return out;
}

function sameVal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.every((x, i) => x === b[i]);
  return false;
}

/**
 * The attributes of a host that are properties of the component. wcc
 * already camelCases (my-prop="…" arrives as myProp); hand-written trees
 * may still use the dashed name.
 */
function propsOf(def: Def, attrs: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const k of Object.keys(attrs)) {
    if (k.startsWith('$')) continue;
    if (hasOwn(def.properties, k)) props[k] = attrs[k];
    else {
      const c = camel(k);
      if (c !== k && hasOwn(def.properties, c)) props[c] = attrs[k];
    }
  }
  return props;
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function createComponent(owner: Inst, host: LNode, def: Def, created: Inst[]): Inst {
  const inst = makeInstance(def, owner.page, host);
  host.comp = inst;
  inst.pub.id = String(host.attrs.id ?? '');
  inst.pub.dataset = datasetOf(host.attrs);
  created.push(inst);
  inst.lifetime('created');
  inst.setProps(propsOf(def, host.attrs), true);
  inst.shadow = reconcile(inst, null, [], inst.renderVNodes(), created);
  inst.rendered = true;
  return inst;
}

/** Set by the runtime: builds an instance with the right prototype and style scope. */
export let makeInstance: (def: Def, page: PageCtx, host: LNode | null) => Inst = () => {
  throw new Error('no instance factory');
};
export function setInstanceFactory(f: typeof makeInstance): void {
  makeInstance = f;
}

function build(owner: Inst, parent: LNode | null, v: VNode, created: Inst[]): LNode {
  if (typeof v !== 'object' || v === null) {
    const n = newNode(owner, parent, '#text');
    n.text = String(v);
    n.shape = TEXT_SHAPE;
    return n;
  }
  const n = newNode(owner, parent, v.tag);
  n.key = v.key;
  n.attrs = v.attr || {};
  n.raw = v.rawAttr;
  n.generics = v.generics;
  n.shape = shapeOf(v);
  n.listeners = parseListeners(n.attrs);
  const def = v.tag === 'slot' ? null : resolveComponent(owner, v.tag);
  if (def) createComponent(owner, n, def, created);
  n.sent = renderingAttrs(owner, n, n.attrs, n.comp);
  n.children = (v.children || []).map((c) => build(owner, n, withPlaceholder(owner, c), created));
  return n;
}

const TEXT_SHAPE = '#text';

/**
 * What tells apart the source elements of one template among unkeyed
 * siblings: the tag and the attribute names (static in a WXML source
 * element: wcc sets every written attribute, undefined values included),
 * model bindings and generics, and the wx:if/elif/else branch or wx:for
 * body that produced it (VElement.branch): as in WeChat, a node of another
 * branch (<card wx:if/><card wx:else/>) is never reused, its state is not
 * handed over.
 */
function shapeOf(v: VElement): string {
  let s = v.branch === undefined ? v.tag : v.tag + '\u0004' + v.branch;
  for (const k of Object.keys(v.attr || {})) {
    if (k === '$gdc') continue;
    s += '\u0001' + (k.startsWith(WXS_PREFIX) ? k.slice(WXS_PREFIX.length) : k);
  }
  if (v.rawAttr) s += '\u0002' + Object.keys(v.rawAttr).join('\u0001');
  if (v.generics) s += '\u0003' + JSON.stringify(v.generics);
  return s;
}

/** Largest middle part (old × new unkeyed nodes) aligned exactly; beyond it, in order per shape. */
const ALIGN_LIMIT = 10000;

/**
 * Pairs old unkeyed nodes with new unkeyed vnodes of the same shape:
 * common prefix and suffix first (WeChat matches unkeyed wx:for items by
 * index), then the longest common subsequence of the middle, so that a
 * node appearing or disappearing before a sibling of the same tag does not
 * hand its state to that sibling.
 */
function alignUnkeyed(old: LNode[], shapes: string[]): Array<LNode | undefined> {
  const res: Array<LNode | undefined> = new Array(shapes.length);
  let a = 0;
  let b = 0;
  let ea = old.length;
  let eb = shapes.length;
  while (a < ea && b < eb && old[a].shape === shapes[b]) res[b++] = old[a++];
  while (a < ea && b < eb && old[ea - 1].shape === shapes[eb - 1]) res[--eb] = old[--ea];
  const n = ea - a;
  const m = eb - b;
  if (!n || !m) return res;
  if (n * m <= ALIGN_LIMIT) {
    // lcs[i * (m + 1) + j]: length of the LCS of old[a+i..ea) and shapes[b+j..eb).
    const w = m + 1;
    const lcs = new Uint16Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = old[a + i].shape === shapes[b + j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (old[a + i].shape === shapes[b + j] && lcs[i * w + j] === lcs[(i + 1) * w + j + 1] + 1) {
        res[b + j] = old[a + i];
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) i++;
      else j++;
    }
    return res;
  }
  const byShape = new Map<string, LNode[]>();
  for (let i = a; i < ea; i++) {
    const q = byShape.get(old[i].shape);
    if (q) q.push(old[i]);
    else byShape.set(old[i].shape, [old[i]]);
  }
  for (let j = b; j < eb; j++) {
    const q = byShape.get(shapes[j]);
    if (q && q.length) res[j] = q.shift();
  }
  return res;
}

/**
 * Diffs one child list of `owner`'s template. Items with a key match by
 * key (wx:for with wx:key); others by shape and position (alignUnkeyed).
 * Returns the new list; placing it in the DOM is place()'s job.
 */
function reconcile(owner: Inst, parent: LNode | null, old: LNode[], vnodes: VNode[], created: Inst[]): LNode[] {
  vnodes = vnodes.map((v) => withPlaceholder(owner, v));
  const byKey = new Map<string, LNode>();
  const oldUnkeyed: LNode[] = [];
  for (const n of old) {
    if (n.key !== undefined) byKey.set(n.tag + '\u0000' + String(n.key), n);
    else oldUnkeyed.push(n);
  }
  const shapes: string[] = [];
  for (const v of vnodes) {
    if (typeof v !== 'object' || v === null) shapes.push(TEXT_SHAPE);
    else if (v.key === undefined) shapes.push(shapeOf(v));
  }
  const aligned = alignUnkeyed(oldUnkeyed, shapes);
  let u = 0;
  const used = new Set<LNode>();
  const out: LNode[] = [];
  for (const v of vnodes) {
    let match: LNode | undefined;
    if (typeof v === 'object' && v !== null && v.key !== undefined) {
      match = byKey.get(v.tag + '\u0000' + String(v.key));
      if (match && (used.has(match) || match.shape !== shapeOf(v))) match = undefined;
    } else {
      match = aligned[u++];
    }
    if (match) {
      used.add(match);
      update(owner, match, v);
      out.push(match);
    } else {
      out.push(build(owner, parent, v, created));
    }
  }
  for (const n of old) if (!used.has(n)) destroy(n, true);
  return out;
}

function update(owner: Inst, n: LNode, v: VNode): void {
  if (typeof v !== 'object' || v === null) {
    const t = String(v);
    if (t !== n.text) {
      n.text = t;
      if (isMounted(n)) queue(owner.page, ['x', n.id, t]);
    }
    return;
  }
  const oldAttrs = n.attrs;
  n.attrs = v.attr || {};
  n.raw = v.rawAttr;
  n.listeners = parseListeners(n.attrs);
  const sent = renderingAttrs(owner, n, n.attrs, n.comp);
  diffAttrs(n, sent);
  if (n.comp) {
    const comp = n.comp;
    comp.pub.id = String(n.attrs.id ?? '');
    comp.pub.dataset = datasetOf(n.attrs);
    const changed: Record<string, unknown> = {};
    const props = propsOf(comp.def, n.attrs);
    for (const k of Object.keys(props)) {
      if (!sameAttr(oldAttrs, n.attrs, k, props[k])) changed[k] = props[k];
    }
    const extChanged = comp.def.externalClasses.some((c) => externalClassOf({ attrs: oldAttrs } as LNode, c) !== externalClassOf(n, c));
    if (Object.keys(changed).length) {
      comp.setProps(changed, false);
      comp.rerender();
    } else if (extChanged) comp.rerender();
  }
  const created: Inst[] = [];
  n.children = reconcile(owner, n, n.children, v.children || [], created);
  if (n.comp) placeLight(n);
  else place(n.children, owner, n);
  settleNew(created, owner.page);
}

/** Whether the attribute giving property `prop` kept its value (a new object or array always counts as changed). */
function sameAttr(oldAttrs: Record<string, unknown>, newAttrs: Record<string, unknown>, prop: string, v: unknown): boolean {
  for (const k of [prop, prop.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())]) {
    if (k in newAttrs) return k in oldAttrs && sameData(oldAttrs[k], v);
  }
  return true;
}

/**
 * Deep equality of two rendered attribute values. The template deep-copies
 * every attribute value (as wcc does), so an object property is a new
 * object on each render of its owner; WeChat re-sets a property only when
 * the data its binding reads changed, so an unchanged copy is not a change
 * (else an unrelated setData of the owner would fire the property's
 * observers).
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Re-sends a node's rendering attributes (after WXS changed its classes or style). */
export function refreshNode(n: LNode): void {
  if (n.tag === '#text' || !n.owner.page.alive) return;
  diffAttrs(n, renderingAttrs(n.owner, n, n.attrs, n.comp));
}

function diffAttrs(n: LNode, sent: Record<string, unknown>): void {
  const page = n.owner.page;
  const mounted = isMounted(n);
  for (const k of Object.keys(sent)) {
    if (!sameVal(n.sent[k], sent[k]) && mounted) queue(page, ['a', n.id, k, sent[k] as never]);
  }
  for (const k of Object.keys(n.sent)) if (!(k in sent) && mounted) queue(page, ['a', n.id, k, null]);
  n.sent = sent;
}

function isMounted(n: LNode): boolean {
  return n.placedIn !== -1;
}

/** Where a node goes in the DOM: its DOM parent's id, or -1 when it has none (an unassigned light child). */
function containerOf(n: LNode): number {
  if (n.parent === null) return n.owner.host ? n.owner.host.id : 0;
  if (n.parent.comp) {
    const slot = findSlot(n.parent.comp, slotNameOf(n));
    return slot ? slot.id : -1;
  }
  return n.parent.id;
}

function slotNameOf(n: LNode): string {
  const s = n.tag === '#text' ? '' : n.attrs.slot;
  return s === undefined || s === null ? '' : String(s);
}

/** The first <slot> of a component's template with that name ("" = default). */
export function findSlot(inst: Inst, name: string): LNode | null {
  const multi = !!inst.def.options.multipleSlots;
  const walk = (list: LNode[]): LNode | null => {
    for (const n of list) {
      if (n.tag === 'slot') {
        const sn = n.attrs.name === undefined || n.attrs.name === null ? '' : String(n.attrs.name);
        if (!multi || sn === name) return n;
      }
      // Light children of a nested component are still this template's nodes.
      if (n.tag !== '#text') {
        const r = walk(n.children);
        if (r) return r;
      }
    }
    return null;
  };
  return walk(inst.shadow);
}

/** Places the light children of a host into the slots of its component. */
function placeLight(host: LNode): void {
  place(host.children, host.owner, host);
}

/**
 * Puts a child list into the DOM in order: new nodes are mounted, nodes
 * whose container changed or that moved are re-inserted. Walks backwards so
 * each insert can name the following sibling of the same container.
 */
function place(list: LNode[], owner: Inst, _parent?: LNode): void {
  const page = owner.page;
  const next = new Map<number, number>(); // container → id of the following placed node
  const lastOld = new Map<number, number>(); // container → old index of the following kept node
  for (let i = list.length - 1; i >= 0; i--) {
    const n = list[i];
    const c = containerOf(n);
    if (c === -1 || !containerMounted(page, c)) {
      // No slot for it (or its container is not in the DOM): the view does not have it.
      if (n.placedIn !== -1) unmountMark(n);
      continue;
    }
    const before = next.get(c) ?? 0;
    const idx = n.pos;
    const lo = lastOld.get(c);
    if (n.placedIn === c && (lo === undefined || idx < lo)) {
      lastOld.set(c, idx);
    } else {
      if (n.placedIn === -1) mount(n);
      else if (n.comp) {
        n.comp.lifetime('moved');
        linkRelations(n.comp);
      }
      queue(page, ['i', c, n.id, before]);
      n.placedIn = c;
    }
    next.set(c, n.id);
  }
  for (let i = 0; i < list.length; i++) list[i].pos = i;
}

function containerMounted(page: PageCtx, c: number): boolean {
  if (c === 0) return true;
  const n = page.nodes.get(c);
  return !!n && n.placedIn !== -1;
}

/** Marks a subtree as not in the DOM (the view dropped it). */
function unmountMark(n: LNode): void {
  n.placedIn = -1;
  for (const c of n.children) unmountMark(c);
  if (n.comp) for (const c of n.comp.shadow) unmountMark(c);
}

/** Queues the creation of a node's whole DOM subtree (not its insertion). */
function mount(n: LNode): void {
  const page = n.owner.page;
  if (n.tag === '#text') {
    queue(page, ['t', n.id, n.text]);
    return;
  }
  queue(page, ['e', n.id, n.tag, n.sent]);
  n.placedIn = n.placedIn === -1 ? -2 : n.placedIn; // mounted; the caller sets its container
  const put = (list: LNode[], fixed: number) => {
    list.forEach((c, i) => {
      c.pos = i;
      const where = fixed || containerOf(c);
      if (where === -1) return;
      mount(c);
      queue(page, ['i', where, c.id, 0]);
      c.placedIn = where;
    });
  };
  if (n.comp) {
    put(n.comp.shadow, n.id);
    put(n.children, 0);
  } else {
    put(n.children, n.id);
  }
}

/** Removes a node: detaches its components, forgets its ids, queues the DOM removal. */
export function destroy(n: LNode, removeFromDom: boolean): void {
  const page = n.owner.page;
  if (removeFromDom && n.placedIn !== -1) queue(page, ['r', n.id]);
  const walk = (x: LNode) => {
    page.nodes.delete(x.id);
    // Light children shown in a removed slot left the DOM with it.
    if (x.tag === 'slot' && x.owner.host) for (const c of x.owner.host.children) if (c.placedIn === x.id) unmountMark(c);
    if (x.comp) {
      const c = x.comp;
      if (c.attached && !c.detached) {
        unlinkRelations(c);
        c.lifetime('detached');
      }
      c.detached = true;
      for (const s of c.shadow) walk(s);
    }
    for (const ch of x.children) walk(ch);
  };
  walk(n);
}

/** Runs attached (and ready, once the page is rendered) for new instances, parents first. */
function settleNew(created: Inst[], page: PageCtx): void {
  if (!created.length) return;
  for (const c of created) {
    if (c.detached) continue;
    c.attached = true;
    c.lifetime('attached');
  }
  for (const c of created) if (!c.detached) linkRelations(c);
  if (page.pendingReady) page.pendingReady.push(...created);
  else for (let i = created.length - 1; i >= 0; i--) if (!created[i].detached) created[i].lifetime('ready');
}

/** The first render of a page: builds the whole tree and queues it. */
export function renderPage(page: PageCtx): Inst[] {
  const inst = page.root;
  const created: Inst[] = [];
  inst.shadow = reconcile(inst, null, [], inst.renderVNodes(), created);
  inst.rendered = true;
  place(inst.shadow, inst);
  return created;
}

export function attachNew(created: Inst[], page: PageCtx): void {
  settleNew(created, page);
}

// ---- dataset, relations, selectors ----

export function datasetOf(attrs: Record<string, unknown>): Record<string, unknown> {
  const ds: Record<string, unknown> = {};
  for (const k of Object.keys(attrs)) {
    if (!k.startsWith('data-')) continue;
    const name = k.slice(5).toLowerCase().replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
    ds[name] = attrs[k];
  }
  return ds;
}

export function marksOf(attrs: Record<string, unknown>): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(attrs)) if (k.startsWith('mark:')) (out ||= {})[k.slice(5)] = attrs[k];
  return out;
}

/** The node above n in the composed tree (through slots and hosts), or null at the page root. */
export function composedParent(n: LNode): LNode | null {
  if (n.parent === null) return n.owner.host;
  if (n.parent.comp) {
    const slot = findSlot(n.parent.comp, slotNameOf(n));
    return slot || n.parent;
  }
  return n.parent;
}

function relationKey(from: Inst, key: string, rel: RelationDef, other: Inst): boolean {
  if (rel.target) return other.def.behaviors.has(rel.target);
  const p = key.startsWith('/') ? joinPath('', key) : joinPath(dirname(from.def.is), key);
  return p === other.def.is;
}

/** For each relation type of the lower side, the type the upper side declares. */
const UPPER_SIDE: Record<string, string> = { parent: 'child', ancestor: 'descendant', 'parent-common-node': 'child-common-node' };

/**
 * The component a lower-side relation (parent, ancestor, parent-common-node)
 * links to, by glass-easel's rule: walk up the host's parents in the same
 * template (relations never cross a component's template boundary);
 * "parent" stops at the nearest component, "parent-common-node" at the
 * nearest node, "ancestor" goes on to the template's root. The target must
 * declare the reciprocal relation.
 */
function findUpper(inst: Inst, key: string, rel: RelationDef): { target: Inst; backKey: string; back: RelationDef } | null {
  for (let n = inst.host ? inst.host.parent : null; n; n = n.parent) {
    if (n.tag === 'slot') continue; // a virtual node
    if (n.comp) {
      const other = n.comp;
      if (relationKey(inst, key, rel, other)) {
        const back = Object.entries(other.def.relations).find(([k, r]) => r.type === UPPER_SIDE[rel.type] && relationKey(other, k, r, inst));
        if (back) return { target: other, backKey: back[0], back: back[1] };
      }
      if (rel.type === 'parent') return null;
    }
    if (rel.type === 'parent-common-node') return null;
  }
  return null;
}

/**
 * Links (or, after a move, re-links) an instance's lower-side relations:
 * linked on both sides for a new target, unlinked for a lost one,
 * linkChanged on both sides when a move kept the same target.
 */
function linkRelations(inst: Inst): void {
  if (!inst.host) return;
  for (const [key, rel] of Object.entries(inst.def.relations)) {
    if (!(rel.type in UPPER_SIDE)) continue;
    const found = findUpper(inst, key, rel);
    const old = inst.upperLinks.get(key);
    if (old && found && old.target === found.target && old.backKey === found.backKey) {
      if (found.back.linkChanged) call(found.target, 'relations linkChanged', found.back.linkChanged, [inst.pub]);
      if (rel.linkChanged) call(inst, 'relations linkChanged', rel.linkChanged, [found.target.pub]);
      continue;
    }
    if (old) {
      inst.upperLinks.delete(key);
      old.target.links.get(old.backKey)?.delete(inst);
      inst.links.get(key)?.delete(old.target);
      const oldBack = old.target.def.relations[old.backKey];
      if (oldBack && oldBack.unlinked) call(old.target, 'relations unlinked', oldBack.unlinked, [inst.pub]);
      if (rel.unlinked) call(inst, 'relations unlinked', rel.unlinked, [old.target.pub]);
    }
    if (found) {
      inst.upperLinks.set(key, { target: found.target, backKey: found.backKey });
      link(found.target, found.backKey, found.back, inst);
      link(inst, key, rel, found.target);
    }
  }
}

function link(inst: Inst, key: string, rel: RelationDef, other: Inst): void {
  let set = inst.links.get(key);
  if (!set) inst.links.set(key, (set = new Set()));
  set.add(other);
  if (rel.linked) call(inst, 'relations linked', rel.linked, [other.pub]);
}

function unlinkRelations(inst: Inst): void {
  inst.upperLinks.clear();
  for (const [key, set] of inst.links) {
    for (const other of set) {
      set.delete(other);
      const rel = inst.def.relations[key];
      if (rel && rel.unlinked) call(inst, 'relations unlinked', rel.unlinked, [other.pub]);
      for (const [k2, up] of other.upperLinks) if (up.target === inst) other.upperLinks.delete(k2);
      for (const [k2, s2] of other.links) {
        if (s2.delete(inst)) {
          const r2 = other.def.relations[k2];
          if (r2 && r2.unlinked) call(other, 'relations unlinked', r2.unlinked, [inst.pub]);
        }
      }
    }
  }
}

interface Compound {
  id?: string;
  classes: string[];
  tag?: string;
}
interface Step {
  comb: ' ' | '>' | '>>>' | '';
  c: Compound;
}

function parseSelector(sel: string): Step[][] {
  return sel.split(',').map((part) => {
    const steps: Step[] = [];
    const re = /\s*(>>>|>)?\s*([^\s>]+)/g;
    let m: RegExpExecArray | null;
    let first = true;
    while ((m = re.exec(part.trim()))) {
      const comb = (m[1] as Step['comb']) || (first ? '' : ' ');
      first = false;
      const c: Compound = { classes: [] };
      const tokRe = /([#.]?)([A-Za-z0-9_-]+)/g;
      let t: RegExpExecArray | null;
      while ((t = tokRe.exec(m[2]))) {
        if (t[1] === '#') c.id = t[2];
        else if (t[1] === '.') c.classes.push(t[2]);
        else c.tag = t[2];
      }
      steps.push({ comb, c });
    }
    return steps;
  });
}

function matchCompound(n: LNode, c: Compound): boolean {
  if (c.id !== undefined && String(n.attrs.id ?? '') !== c.id) return false;
  if (c.tag !== undefined && n.tag !== c.tag) return false;
  if (c.classes.length) {
    const have = String(n.attrs.class ?? '').split(/\s+/);
    if (!c.classes.every((x) => have.includes(x))) return false;
  }
  return true;
}

/** Host nodes of `root`'s template (and, across ">>>", of nested templates) matching selector, in tree order. */
export function selectHosts(root: Inst, selector: string, firstOnly: boolean): Inst[] {
  const out: Inst[] = [];
  const groups = parseSelector(selector);
  // Every host reachable in this instance's template, with its chain of template ancestors.
  const visit = (list: LNode[], ancestors: LNode[], deep: boolean) => {
    for (const n of list) {
      if (n.tag === '#text') continue;
      if (n.comp && groups.some((g) => matchChain(n, ancestors, g))) {
        if (!out.includes(n.comp)) out.push(n.comp);
        if (firstOnly) return;
      }
      visit(n.children, [...ancestors, n], deep);
      if (n.comp && deep) visit(n.comp.shadow, [...ancestors, n, SHADOW], deep);
    }
  };
  const deep = groups.some((g) => g.some((s) => s.comb === '>>>'));
  visit(root.shadow, [], deep);
  return firstOnly ? out.slice(0, 1) : out;
}

/** Marks a crossing into a component's template in an ancestor chain. */
const SHADOW = { tag: '#shadow', attrs: {} } as unknown as LNode;

function matchChain(n: LNode, ancestors: LNode[], steps: Step[]): boolean {
  const last = steps[steps.length - 1];
  if (!matchCompound(n, last.c)) return false;
  // Crossing a shadow boundary is only allowed through ">>>".
  let i = steps.length - 2;
  let j = ancestors.length - 1;
  let comb = last.comb;
  while (i >= 0) {
    const step = steps[i];
    let found = false;
    while (j >= 0) {
      const a = ancestors[j--];
      if (a === SHADOW) {
        if (comb !== '>>>') return false;
        continue;
      }
      if (matchCompound(a, step.c)) {
        found = true;
        break;
      }
      if (comb === '>') return false;
    }
    if (!found) return false;
    comb = step.comb;
    i--;
  }
  // Nothing left to match: the remaining ancestors may not cross a boundary unless deep.
  return !ancestors.slice(0, j + 1).includes(SHADOW) || steps.some((s) => s.comb === '>>>');
}

const warnedModels = new Set<string>();

function warnModel(n: LNode, msg: string): void {
  const k = n.owner.def.is + '\u0000' + msg;
  if (warnedModels.has(k)) return;
  warnedModels.add(k);
  console.warn(`${n.owner.def.is}: ${msg}`);
}

/** `{{ a.b[0].c }}` → "a.b[0].c": the only form a two-way binding can write to. */
const MODEL_SOURCE = /^\s*\{\{\s*([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*\d+\s*\])*)\s*\}\}\s*$/;

/**
 * The owner's data path a model:prop binding on node n writes to (a setData
 * key), from the binding's source in rawAttr; null when n has no such
 * binding or its expression is not a plain data path (warned once, as
 * WeChat does, and not written).
 */
export function modelPath(n: LNode, prop: string): string | null {
  if (!n.raw) return null;
  let src: string | undefined;
  for (const k of Object.keys(n.raw)) if (k.startsWith('model:') && camel(k.slice(6)) === prop) src = n.raw[k];
  if (src === undefined) return null;
  const m = MODEL_SOURCE.exec(src);
  if (!m) {
    warnModel(n, `model:${prop}="${src}" is not a data path; the value is not written back`);
    return null;
  }
  const path = m[1].replace(/\s+/g, '');
  const root = /^[^.[]+/.exec(path)![0];
  // A nested path under a name the data does not have is a wx:for item or
  // a template variable: there is nothing in the data to write to.
  if (path !== root && !hasOwn(n.owner.data, root)) {
    warnModel(n, `model:${prop}="${src}" does not name a field of the data; the value is not written back`);
    return null;
  }
  return path;
}

/** The props a node's model bindings cover ("model:my-prop" → "myProp"). */
export function modelProps(n: LNode): string[] {
  if (!n.raw) return [];
  return Object.keys(n.raw).filter((k) => k.startsWith('model:')).map((k) => camel(k.slice(6)));
}

export { getPath };
