// The logic runtime: App(), Page(), Component(), Behavior(), getApp(),
// getCurrentPages(), the page stack and its lifecycles, and the handling of
// the view's messages.

import type { Code, Env, LaunchOptions, Manifest, MsgEvent, MsgViewEvent, StorageSnapshot, VersionInfo, ViewToLogic, WindowConfig } from '../protocol';
import { callView, onAcked, onResult, post, postOps } from './channel';
import { build, BehaviorRef, type Def } from './define';
import { dispatch, dispatchViewEvent } from './events';
import { joinPath, loading, loadIfDefined, setPackageLoader } from './modules';
import {
  CORE, datasetOf, destroy, flush, hasOwn, Inst, PageCtx, attachNew, renderPage, scheduleFlush, selectHosts, setComponentResolver,
  setErrorReporter, setInstanceFactory, setOpSender, setPlaceholderResolver, type LNode,
} from './tree';

export const state = {
  manifest: null as Manifest | null,
  env: null as Env | null,
  launch: null as LaunchOptions | null,
  enter: null as LaunchOptions | null,
  /** The version running (the shell's launch answer); a release until boot says otherwise. */
  version: { envVersion: 'release', version: '', extConfig: {} } as VersionInfo,
  app: null as Record<string, unknown> | null,
  stack: [] as PageCtx[],
  /** Tab pages stay alive once opened (WeChat keeps them). */
  tabPages: new Map<string, PageCtx>(),
  loadedPackages: new Set<string>(['']),
  appShowListeners: [] as Function[],
  appHideListeners: [] as Function[],
  errorListeners: [] as Function[],
  rejectionListeners: [] as Function[],
  pageNotFoundListeners: [] as Function[],
  /** Called when a page is unloaded (API families drop what they keep per page). */
  pageUnloadListeners: [] as Array<(page: PageCtx) => void>,
  booted: false,
};

const defs = new Map<string, Def>();
let nextPage = 1;

// ---- errors ----

export function reportError(where: string, e: unknown): void {
  const msg = e instanceof Error ? `${e.message}\n${e.stack || ''}` : String(e);
  console.error(`[${where}]`, e);
  const app = state.app;
  if (app && typeof app.onError === 'function') {
    try {
      (app.onError as Function).call(app, msg);
    } catch (e2) {
      console.error('App.onError threw', e2);
    }
  }
  for (const l of state.errorListeners) {
    try {
      l(msg);
    } catch {
      /* a listener's own failure is not reported again */
    }
  }
}
setErrorReporter(reportError);

// ---- definitions ----

function currentPath(kind: string): string {
  const p = loading[loading.length - 1];
  if (!p) throw new Error(`${kind}() must be called while a page or component file is being loaded`);
  return p;
}

export function App(opts: Record<string, unknown> = {}): void {
  if (state.app) throw new Error('App() can only be called once');
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) app[k] = v;
  state.app = app;
}

export function getApp(_opts?: unknown): Record<string, unknown> | undefined {
  return state.app || undefined;
}

export function Page(opts: Record<string, unknown> = {}): void {
  const is = currentPath('Page');
  defs.set(is, build(opts, is, 'page', true));
}

export function Component(opts: Record<string, unknown> = {}): void {
  const is = currentPath('Component');
  defs.set(is, build(opts, is, 'component'));
}

export function Behavior(opts: Record<string, unknown> = {}): BehaviorRef {
  return new BehaviorRef(opts, loading[loading.length - 1] || '');
}

export function getCurrentPages(): unknown[] {
  const pages = state.stack.map((p) => p.root.pub);
  if (opening && !state.stack.includes(opening)) pages.push(opening.root.pub);
  return pages;
}

/** The definition for a page or component path, loading its JS on first use. */
function defFor(path: string): Def | null {
  let d = defs.get(path);
  if (d) return d;
  try {
    loadIfDefined(path);
  } catch (e) {
    reportError(`load ${path}.js`, e);
  }
  d = defs.get(path);
  return d || null;
}

// ---- instances ----

function componentConfig(is: string): Record<string, unknown> | undefined {
  return state.manifest?.components[is] as Record<string, unknown> | undefined;
}

function usingComponents(inst: Inst): Record<string, string> {
  const m = state.manifest;
  if (!m) return {};
  const own = inst.host ? m.components[inst.def.is]?.usingComponents : m.pages[inst.page.route]?.usingComponents;
  return { ...normaliseUsing(m.app.usingComponents), ...(own || {}) };
}

function normaliseUsing(u: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (u) for (const [k, v] of Object.entries(u)) out[k] = joinPath('', v);
  return out;
}

/**
 * The component path a tag of `inst`'s template names: a generic
 * (componentGenerics) takes the tag the owner chose with generic:name="tag",
 * looked up in the owner's own usingComponents (or generics, recursively),
 * else its default; any other tag comes from usingComponents.
 */
function componentPathOf(inst: Inst, tag: string, depth = 0): string | null {
  const generics = inst.host ? state.manifest?.components[inst.def.is]?.componentGenerics : undefined;
  if (generics && Object.prototype.hasOwnProperty.call(generics, tag)) {
    const chosen = inst.host!.generics?.['wx-' + tag];
    if (chosen && depth < 32) return componentPathOf(inst.host!.owner, chosen.replace(/^wx-/, ''), depth + 1);
    const g = generics[tag];
    const def = g && typeof g === 'object' ? g.default : undefined;
    if (typeof def === 'string' && def) return joinPath('', def);
    console.error(`Component "${inst.def.is}": generic "${tag}" has no implementation (generic:${tag}="…" on its tag) and no default`);
    return null;
  }
  return usingComponents(inst)[tag] || null;
}

setComponentResolver((owner, tag) => {
  const path = componentPathOf(owner, tag);
  if (!path) return null;
  const d = defFor(path);
  if (!d) console.error(`Component is not found in path "${path}" (using by "${owner.def.is}")`);
  return d;
});

/**
 * componentPlaceholder (分包异步化): a component of a subpackage that is not
 * loaded yet renders as its placeholder (a built-in tag, or a custom one
 * from usingComponents, itself never replaced: a placeholder must be
 * available at once); its package is fetched and the owner re-rendered
 * with the real component. A component already loaded renders at once.
 */
const placeholderWaiting = new Map<string, Set<Inst>>();
setPlaceholderResolver((owner, tag) => {
  const m = state.manifest;
  const conf = owner.host ? m?.components[owner.def.is] : m?.pages[owner.page.route];
  const ph = (conf as { componentPlaceholder?: Record<string, unknown> } | undefined)?.componentPlaceholder;
  if (!ph || !hasOwn(ph, tag) || typeof ph[tag] !== 'string') return null;
  const path = componentPathOf(owner, tag);
  const root = path ? m?.components[path]?.package : undefined;
  if (!path || typeof root !== 'string' || state.loadedPackages.has(root)) return null;
  let waiting = placeholderWaiting.get(root);
  if (!waiting) {
    const owners = (waiting = new Set());
    placeholderWaiting.set(root, owners);
    ensurePackageRoot(root).then(
      () => {
        placeholderWaiting.delete(root);
        for (const o of owners) {
          try {
            o.rerender();
          } catch (e) {
            reportError(`${o.def.is}: render after loading "${root}"`, e);
          }
        }
      },
      (e) => {
        // The placeholders stay; the owner's next render asks again.
        placeholderWaiting.delete(root);
        console.error(`componentPlaceholder: subpackage "${root}" could not be loaded:`, e instanceof Error ? e.message : e);
      },
    );
  }
  waiting.add(owner);
  const placeholder = ph[tag] as string;
  // A custom placeholder that cannot be found renders as a view (WeChat's fallback).
  const phPath = usingComponents(owner)[placeholder];
  return phPath && !defFor(phPath) ? 'view' : placeholder;
});

const proto = {
  setData(this: Record<symbol, unknown>, obj: Record<string, unknown>, cb?: () => void) {
    (this[CORE] as Inst).setData(obj, cb);
  },
  triggerEvent(this: Record<symbol, unknown>, name: string, detail?: unknown, options?: Record<string, unknown> | null) {
    const inst = this[CORE] as Inst;
    // WeChat accepts triggerEvent(name, detail, null).
    options = options && typeof options === 'object' ? options : {};
    if (!inst.host) return;
    dispatch(inst.host, {
      type: name,
      detail: detail === undefined ? {} : detail,
      bubbles: !!options.bubbles,
      composed: !!options.composed,
      capturePhase: !!options.capturePhase,
    });
  },
  selectComponent(this: Record<symbol, unknown>, selector: string) {
    const r = selectHosts(this[CORE] as Inst, selector, true)[0];
    return r ? exported(r, this[CORE] as Inst) : null;
  },
  selectAllComponents(this: Record<symbol, unknown>, selector: string) {
    return selectHosts(this[CORE] as Inst, selector, false).map((r) => exported(r, this[CORE] as Inst));
  },
  selectOwnerComponent(this: Record<symbol, unknown>) {
    const o = (this[CORE] as Inst).owner;
    return o ? o.pub : null;
  },
  hasBehavior(this: Record<symbol, unknown>, b: unknown) {
    return (this[CORE] as Inst).def.behaviors.has(b);
  },
  getRelationNodes(this: Record<symbol, unknown>, key: string) {
    const set = (this[CORE] as Inst).links.get(key);
    return set ? [...set].map((i) => i.pub) : [];
  },
  getPageId(this: Record<symbol, unknown>) {
    return 'pageId:' + (this[CORE] as Inst).page.id;
  },
  groupSetData(this: Record<symbol, unknown>, fn: () => void) {
    fn.call(this);
  },
  getOpenerEventChannel(this: Record<symbol, unknown>) {
    const page = (this[CORE] as Inst).page as PageCtx & { channel?: EventChannel };
    return (page.channel ||= new EventChannel());
  },
  createSelectorQuery(this: Record<string | symbol, unknown>) {
    const wx = (globalThis as Record<string, any>).wx;
    const q = wx && typeof wx.createSelectorQuery === 'function' ? wx.createSelectorQuery() : null;
    return q && typeof q.in === 'function' ? q.in(this) : q;
  },
  createIntersectionObserver(this: Record<string | symbol, unknown>, opts?: unknown) {
    const wx = (globalThis as Record<string, any>).wx;
    return wx && typeof wx.createIntersectionObserver === 'function' ? wx.createIntersectionObserver(this, opts) : null;
  },
};

function exported(target: Inst, caller: Inst): unknown {
  if (target.def.exportFn) {
    try {
      return target.def.exportFn.call(target.pub, caller.pub);
    } catch (e) {
      reportError(`${target.def.is}: export`, e);
    }
  }
  return target.pub;
}

setInstanceFactory((def, page, host) => {
  const inst = new Inst(def, page, host, proto);
  if (host) {
    const cfg = componentConfig(def.is) || {};
    inst.scope = String(cfg.styleScope || '');
    const iso = String(def.options.styleIsolation || cfg.styleIsolation || 'isolated');
    inst.classMode = iso === 'apply-shared' || iso === 'shared' || def.options.addGlobalClass ? 'shared' : 'isolated';
  }
  return inst;
});

setOpSender((page, ops, callbacks) => postOps(page.id, ops, callbacks));

/** Every instance of a page's tree, parents first. */
function instancesOf(page: PageCtx): Inst[] {
  const out: Inst[] = [];
  const walk = (list: LNode[]) => {
    for (const n of list) {
      if (n.comp) {
        out.push(n.comp);
        walk(n.comp.shadow);
      }
      walk(n.children);
    }
  };
  walk(page.root.shadow);
  return out;
}

// ---- event channel (navigateTo events) ----

export class EventChannel {
  private peer: EventChannel | null = null;
  private handlers = new Map<string, Array<{ fn: Function; once: boolean }>>();
  private queued: Array<[string, unknown[]]> = [];
  static pair(): [EventChannel, EventChannel] {
    const a = new EventChannel();
    const b = new EventChannel();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }
  emit(name: string, ...args: unknown[]): void {
    if (this.peer) this.peer.deliver(name, args);
  }
  private deliver(name: string, args: unknown[]): void {
    const hs = this.handlers.get(name);
    if (!hs || !hs.length) {
      this.queued.push([name, args]);
      return;
    }
    for (const h of [...hs]) {
      if (h.once) hs.splice(hs.indexOf(h), 1);
      h.fn(...args);
    }
  }
  on(name: string, fn: Function): void {
    const hs = this.handlers.get(name) || [];
    hs.push({ fn, once: false });
    this.handlers.set(name, hs);
    this.drain(name);
  }
  once(name: string, fn: Function): void {
    const hs = this.handlers.get(name) || [];
    hs.push({ fn, once: true });
    this.handlers.set(name, hs);
    this.drain(name);
  }
  off(name: string, fn?: Function): void {
    const hs = this.handlers.get(name);
    if (!hs) return;
    if (!fn) this.handlers.delete(name);
    else this.handlers.set(name, hs.filter((h) => h.fn !== fn));
  }
  private drain(name: string): void {
    const q = this.queued.filter(([n]) => n === name);
    this.queued = this.queued.filter(([n]) => n !== name);
    for (const [n, args] of q) this.deliver(n, args);
  }
}

// ---- pages ----

export class NavError extends Error {}

function isTab(route: string): boolean {
  const tb = state.manifest?.app.tabBar;
  return !!tb && tb.list.some((i) => joinPath('', i.pagePath) === route);
}

function tabIndex(route: string): number {
  const tb = state.manifest?.app.tabBar;
  return tb ? tb.list.findIndex((i) => joinPath('', i.pagePath) === route) : -1;
}

export function parseUrl(url: string, from: string): { route: string; query: Record<string, string> } {
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const pair of url.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq < 0) query[pair] = '';
      else query[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const route = pathPart.startsWith('/') ? joinPath('', pathPart) : joinPath(dir, pathPart);
  return { route: route.replace(/\.html$/, ''), query };
}

function pageExists(route: string): boolean {
  return !!state.manifest && hasOwn(state.manifest.pages, route);
}

/** The package root a page belongs to ("" = main). */
function packageOf(route: string): string {
  const m = state.manifest;
  const p = m?.pages[route]?.package;
  if (typeof p === 'string') return p;
  for (const pkg of m?.packages || []) if (pkg.root && route.startsWith(pkg.root)) return pkg.root;
  return '';
}

async function ensurePackage(route: string): Promise<void> {
  return ensurePackageRoot(packageOf(route));
}
// require.async of a module in a subpackage loads that subpackage, as a navigation would.
setPackageLoader(ensurePackage);

async function ensurePackageRoot(root: string): Promise<void> {
  if (state.loadedPackages.has(root)) return;
  const text = (await callView('package.load', root)) as Code;
  if (state.loadedPackages.has(root)) return; // a concurrent navigation loaded it meanwhile
  importScriptText(text);
  state.loadedPackages.add(root);
}

/**
 * The target page's package and definition, loaded before the navigation
 * touches the stack: a subpackage that cannot be fetched fails the
 * navigation (`<api>:fail loadSubpackage: …`) and leaves every page as it
 * was; the next attempt fetches it again.
 */
async function preparePage(api: string, route: string): Promise<Def> {
  try {
    await ensurePackage(route);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new NavError(`${api}:fail loadSubpackage: ${packageOf(route)} ${why}`);
  }
  return defFor(route) || build({}, route, 'page', true);
}

/** Evaluates a script in the worker (a subpackage's service.js, text or Blob). */
export let importScriptText: (code: Code) => void = () => {
  throw new Error('cannot load scripts here');
};
export function setScriptImporter(f: typeof importScriptText): void {
  importScriptText = f;
}

function windowFor(route: string): WindowConfig {
  const m = state.manifest!;
  const page = { ...(m.pages[route] || {}) } as Record<string, unknown>;
  delete page.usingComponents;
  delete page.package;
  delete page.component;
  return { ...(m.app.window || {}), ...page } as WindowConfig;
}

function showPage(p: PageCtx): void {
  if (p.shown || !p.alive) return;
  p.shown = true;
  p.root.hook('onShow');
  for (const i of instancesOf(p)) i.pageLifetime('show');
}

function hidePage(p: PageCtx): void {
  if (!p.shown || !p.alive) return;
  p.shown = false;
  p.root.hook('onHide');
  for (const i of instancesOf(p)) i.pageLifetime('hide');
}

function unloadPage(p: PageCtx): void {
  if (!p.alive) return;
  p.root.hook('onUnload');
  if (p.root.def.kind === 'component') p.root.lifetime('detached');
  for (const n of p.root.shadow) destroy(n, false);
  p.root.detached = true;
  p.alive = false;
  if (state.tabPages.get(p.route) === p) state.tabPages.delete(p.route);
  for (const l of state.pageUnloadListeners) {
    try {
      l(p);
    } catch (e) {
      console.error('page unload listener', e);
    }
  }
  post({ t: 'close', page: p.id });
}

/** Creates a page of a prepared definition, runs onLoad/onShow, sends its first render; onReady follows the view's ack. */
function openPage(def: Def, route: string, query: Record<string, string>, how: 'push' | 'replace' | 'root', channel?: EventChannel): PageCtx {
  const page = new PageCtx(nextPage++, route, windowFor(route));
  page.options = query;
  if (channel) (page as PageCtx & { channel?: EventChannel }).channel = channel;
  const inst = new Inst(def, page, null, proto);
  page.root = inst;
  inst.pub.route = route;
  inst.pub.__route__ = route;
  inst.pub.options = { ...query };
  post({ t: 'page', page: page.id, route, window: page.window, how, tab: tabIndex(route) });
  if (def.kind === 'component') {
    inst.lifetime('created');
    const props: Record<string, unknown> = {};
    for (const k of Object.keys(query)) if (hasOwn(def.properties, k)) props[k] = query[k];
    inst.setProps(props, true);
  }
  const created = renderPage(page);
  attachNew(created, page);
  if (def.kind === 'component') {
    inst.attached = true;
    inst.lifetime('attached');
  }
  opening = page;
  inst.hook('onLoad', [{ ...query }]);
  page.shown = false;
  showPage(page);
  page.callbacks.push(() => {
    const ready = page.pendingReady || [];
    page.pendingReady = null;
    for (let i = ready.length - 1; i >= 0; i--) if (!ready[i].detached) ready[i].lifetime('ready');
    if (def.kind === 'component') inst.lifetime('ready');
    inst.hook('onReady');
    preloadFor(route);
  });
  scheduleFlush(page);
  if (isTab(route)) state.tabPages.set(route, page);
  return page;
}

/**
 * The page being opened, from its onLoad until it is on the stack: as in
 * WeChat it is already the current page there (getCurrentPages() ends with
 * it, and wx.setNavigationBarTitle in onLoad titles it), although the
 * navigation that opens it completes only afterwards.
 */
let opening: PageCtx | null = null;

function postStack(): void {
  opening = null;
  post({ t: 'stack', pages: state.stack.map((p) => p.id) });
}

function top(): PageCtx | undefined {
  return state.stack[state.stack.length - 1];
}

let navChain: Promise<unknown> = Promise.resolve();
/** How many navigations were requested so far (boot learns whether onPageNotFound asked for one). */
let navRequests = 0;
/** A navigation API was called (wx.redirectTo… run their work a microtask later). */
export function noteNavigationRequest(): void {
  navRequests++;
}
/** Navigations run one after another, never interleaved. */
function serial<T>(f: () => Promise<T>): Promise<T> {
  navRequests++;
  const r = navChain.then(f);
  navChain = r.catch(() => undefined);
  return r;
}

function checkTarget(api: string, url: unknown): { route: string; query: Record<string, string> } {
  if (typeof url !== 'string' || !url) throw new NavError(`${api}:fail parameter error: parameter.url should be String instead of ${typeof url};`);
  const cur = top();
  const t = parseUrl(url, cur ? cur.route : '');
  if (!pageExists(t.route)) throw new NavError(`${api}:fail page "${t.route}" is not found`);
  return t;
}

export function navigateTo(url: unknown, events?: Record<string, Function>): Promise<{ eventChannel: EventChannel }> {
  return serial(async () => {
    const t = checkTarget('navigateTo', url);
    if (isTab(t.route)) throw new NavError('navigateTo:fail can not navigateTo a tabbar page');
    if (state.stack.length >= 10) throw new NavError('navigateTo:fail webview count limit exceed');
    const def = await preparePage('navigateTo', t.route);
    const [opener, opened] = EventChannel.pair();
    if (events) for (const [k, f] of Object.entries(events)) if (typeof f === 'function') opener.on(k, f);
    const cur = top();
    if (cur) hidePage(cur);
    const p = openPage(def, t.route, t.query, 'push', opened);
    state.stack.push(p);
    postStack();
    return { eventChannel: opener };
  });
}

export function redirectTo(url: unknown): Promise<void> {
  return serial(async () => {
    const t = checkTarget('redirectTo', url);
    if (isTab(t.route)) throw new NavError('redirectTo:fail can not redirectTo a tabbar page');
    const def = await preparePage('redirectTo', t.route);
    const cur = state.stack.pop();
    if (cur) unloadPage(cur);
    const p = openPage(def, t.route, t.query, 'replace');
    state.stack.push(p);
    postStack();
  });
}

export function navigateBack(delta = 1): Promise<void> {
  return serial(async () => {
    if (state.stack.length <= 1) throw new NavError('navigateBack:fail cannot navigate back at first page.');
    const n = Math.max(1, Math.min(Math.floor(Number(delta)) || 1, state.stack.length - 1));
    for (let i = 0; i < n; i++) unloadPage(state.stack.pop()!);
    postStack();
    showPage(top()!);
  });
}

export function switchTab(url: unknown): Promise<void> {
  return serial(async () => {
    const t = checkTarget('switchTab', url);
    if (!isTab(t.route)) throw new NavError('switchTab:fail can not switch to no-tabBar page');
    const cur = top();
    if (cur && cur.route === t.route && state.stack.length === 1) return;
    const kept = state.tabPages.get(t.route);
    const def = kept && kept.alive ? null : await preparePage('switchTab', t.route);
    if (cur && isTab(cur.route)) hidePage(cur);
    while (state.stack.length) {
      const p = state.stack.pop()!;
      if (!isTab(p.route)) unloadPage(p);
    }
    let p = state.tabPages.get(t.route);
    if (p && p.alive) {
      state.stack.push(p);
      postStack();
      showPage(p);
    } else {
      p = openPage(def || (await preparePage('switchTab', t.route)), t.route, {}, 'root');
      state.stack.push(p);
      postStack();
    }
  });
}

export function reLaunch(url: unknown): Promise<void> {
  return serial(async () => {
    const t = checkTarget('reLaunch', url);
    const def = await preparePage('reLaunch', t.route);
    while (state.stack.length) unloadPage(state.stack.pop()!);
    for (const p of [...state.tabPages.values()]) unloadPage(p);
    const p = openPage(def, t.route, t.query, 'root');
    state.stack.push(p);
    postStack();
  });
}

export function currentPage(): PageCtx | undefined {
  return opening ?? top();
}

// ---- boot and view messages ----

function entryRoute(): string {
  const m = state.manifest!;
  return joinPath('', m.app.entryPagePath || m.app.pages[0] || '');
}

async function boot(manifest: Manifest, env: Env, launch: LaunchOptions): Promise<void> {
  state.manifest = manifest;
  state.env = env;
  const opts: LaunchOptions = { path: launch.path || entryRoute(), query: launch.query || {}, scene: launch.scene ?? 1001, referrerInfo: launch.referrerInfo || {} };
  state.launch = opts;
  state.enter = opts;
  try {
    loadIfDefined('app');
  } catch (e) {
    reportError('app.js', e);
  }
  const app = state.app || (state.app = {});
  const call = (name: string, arg: unknown) => {
    const f = app[name];
    if (typeof f === 'function') {
      try {
        f.call(app, arg);
      } catch (e) {
        reportError('App.' + name, e);
      }
    }
  };
  call('onLaunch', { ...opts });
  call('onShow', { ...opts });
  for (const l of state.appShowListeners) l({ ...opts });
  let route = joinPath('', opts.path);
  let query = opts.query;
  let redirected = false;
  if (!pageExists(route)) {
    const nf = { path: route, query, isEntryPage: true };
    const before = navRequests;
    call('onPageNotFound', nf);
    for (const l of state.pageNotFoundListeners) l(nf);
    // A navigation onPageNotFound asked for (wx.redirectTo…) opens the first page instead.
    redirected = navRequests !== before;
    route = entryRoute();
    query = {};
  }
  // Through the navigation queue: after any navigation onPageNotFound requested.
  await serial(async () => {
    if (redirected || state.stack.length) return;
    const def = await preparePage('launch', route);
    state.stack.push(openPage(def, route, query, 'root'));
    postStack();
  });
  state.booted = true;
}

/** A live page by its id: on the stack, a kept tab page, or the one being opened. */
export function pageById(id: number): PageCtx | undefined {
  if (opening && opening.id === id && opening.alive) return opening;
  return state.stack.find((x) => x.id === id && x.alive) || [...state.tabPages.values()].find((x) => x.id === id && x.alive);
}

function findNode(msg: { page: number; node: number }): LNode | undefined {
  return pageById(msg.page)?.nodes.get(msg.node);
}

/**
 * Presses (MsgEvent.press) whose longpress or longtap ran a handler: as in
 * WeChat, their tap is not fired. Only the logic layer knows whether a
 * handler ran, so the view sends the tap of a long press with its number.
 */
const longPressHandled = new Set<number>();

function onEvent(msg: MsgEvent): void {
  const node = findNode(msg);
  if (msg.type === 'tap' && msg.press && longPressHandled.delete(msg.press)) return;
  if (!node) return;
  if (msg.type === 'navigate') {
    navigatorTap(msg.detail || {});
    return;
  }
  if (msg.type === 'opentype') {
    openTypeTap(node, msg.detail || {});
    return;
  }
  if (msg.type === 'openlink') {
    // web-view's "Open in browser": the shell confirms and opens a new tab.
    callView('openLink', { url: String(msg.detail?.url ?? '') }).catch((e) => console.warn(e instanceof Error ? e.message : e));
    return;
  }
  const ran = dispatchViewEvent(node, msg.type, msg.detail || {}, {
    touches: msg.touches,
    changedTouches: msg.changedTouches,
    timeStamp: msg.timeStamp,
    offset: msg.target,
  });
  if (ran && msg.press && (msg.type === 'longpress' || msg.type === 'longtap')) {
    // A press whose tap never comes (the finger moved) is forgotten eventually.
    if (longPressHandled.size > 64) longPressHandled.clear();
    longPressHandled.add(msg.press);
  }
}

// ---- preloadRule (app.json) ----

const preloaded = new Set<string>();

/**
 * After a page with a preloadRule is ready, its subpackages (by root or
 * name) are fetched in the background, so entering them waits for
 * nothing. network "wifi" is treated as "all": a browser cannot tell.
 */
function preloadFor(route: string): void {
  const m = state.manifest;
  const rules = m?.app.preloadRule;
  if (!m || !rules || typeof rules !== 'object' || !hasOwn(rules, route)) return;
  const rule = rules[route];
  const wanted = rule && Array.isArray(rule.packages) ? rule.packages : [];
  for (const want of wanted) {
    const pkg = m.packages.find((p) => p.root && (p.name === want || p.root === want || p.root.replace(/\/$/, '') === String(want).replace(/\/$/, '')));
    if (!pkg || state.loadedPackages.has(pkg.root) || preloaded.has(pkg.root)) continue;
    preloaded.add(pkg.root);
    callView('package.preload', pkg.root).catch((e) => {
      preloaded.delete(pkg.root);
      console.warn(`preloadRule: subpackage "${pkg.root}" could not be preloaded:`, e instanceof Error ? e.message : e);
    });
  }
}

/** <navigator> taps (the widget reports {openType, url, delta, target, appId, path, extraData, envVersion}). */
function navigatorTap(d: Record<string, unknown>): void {
  const url = String(d.url ?? '');
  const fail = (e: unknown) => console.error(e instanceof Error ? e.message : e);
  if (d.target === 'miniProgram') {
    miniProgramNavigatorTap(d).catch(fail);
    return;
  }
  switch (d.openType) {
    case 'redirect':
      redirectTo(url).catch(fail);
      break;
    case 'switchTab':
      switchTab(url).catch(fail);
      break;
    case 'reLaunch':
      reLaunch(url).catch(fail);
      break;
    case 'navigateBack':
      navigateBack(Number(d.delta ?? 1)).catch(fail);
      break;
    case 'exit':
      callView('exit').catch(fail);
      break;
    default:
      navigateTo(url).catch(fail);
  }
}

/**
 * <navigator target="miniProgram">: open-type navigate opens app-id (as
 * wx.navigateToMiniProgram), navigateBack returns to the opener with
 * extra-data, exit leaves; the shell does each.
 */
async function miniProgramNavigatorTap(d: Record<string, unknown>): Promise<void> {
  const extraData = d.extraData && typeof d.extraData === 'object' ? JSON.parse(JSON.stringify(d.extraData)) : undefined;
  switch (d.openType ?? 'navigate') {
    case 'navigate': {
      const appId = String(d.appId ?? '');
      if (!appId) throw new Error('navigator target="miniProgram": app-id is required');
      await callView('navigateToMiniProgram', { appId, path: String(d.path ?? ''), extraData, envVersion: String(d.envVersion || 'release') });
      break;
    }
    case 'navigateBack':
      await callView('exit', { reason: 'back', extraData });
      break;
    case 'exit':
      await callView('exit', { reason: 'exit' });
      break;
    default:
      throw new Error(`navigator target="miniProgram": open-type "${String(d.openType)}" is not supported (navigate, navigateBack, exit)`);
  }
}

/**
 * <button open-type="share">: the page's onShareAppMessage({from: "button",
 * target}) decides what is shared; the shell shows the share sheet.
 */
function openTypeTap(node: LNode, d: Record<string, unknown>): void {
  if (d.type !== 'share') return;
  const page = node.owner.page.root;
  const target = { id: String(node.attrs.id ?? ''), dataset: datasetOf(node.attrs) };
  const given = page.hook('onShareAppMessage', [{ from: 'button', target, webViewUrl: '' }]);
  const base = { title: String(state.manifest?.app.window?.navigationBarTitleText ?? ''), path: '/' + node.owner.page.route };
  const send = (o: unknown) => {
    const share = { ...base, ...(o && typeof o === 'object' ? (o as Record<string, unknown>) : {}) };
    callView('share', share).catch((e) => console.error(e instanceof Error ? e.message : e));
  };
  if (given && typeof (given as Promise<unknown>).then === 'function') (given as Promise<unknown>).then(send, (e) => reportError('onShareAppMessage', e));
  else if (given && typeof given === 'object' && (given as Record<string, unknown>).promise) {
    Promise.resolve((given as Record<string, unknown>).promise).then((p) => send({ ...(given as object), ...(p as object) }), () => send(given));
  } else send(given);
}

function onViewEvent(msg: MsgViewEvent): void {
  const page = pageById(msg.page);
  switch (msg.kind) {
    case 'scroll':
      if (page) page.root.hook('onPageScroll', [{ scrollTop: msg.scrollTop || 0 }]);
      break;
    case 'reachBottom':
      if (page) page.root.hook('onReachBottom');
      break;
    case 'pullDown':
      if (page) page.root.hook('onPullDownRefresh');
      break;
    case 'back':
      navigateBack(1).catch(() => undefined);
      break;
    case 'tab': {
      const tb = state.manifest?.app.tabBar;
      const item = tb?.list[msg.index ?? -1];
      if (!item) break;
      const route = joinPath('', item.pagePath);
      const info = { index: msg.index, pagePath: route, text: item.text || '' };
      const cur = top();
      if (cur && cur.route === route) cur.root.hook('onTabItemTap', [info]);
      switchTab('/' + route)
        .then(() => {
          const p = top();
          if (p && cur?.route !== route) p.root.hook('onTabItemTap', [info]);
        })
        .catch((e) => reportError('switchTab', e));
      break;
    }
    case 'resize':
      if (msg.env) state.env = msg.env;
      for (const p of state.stack) {
        const size = { size: { windowWidth: state.env?.windowWidth, windowHeight: state.env?.windowHeight } };
        p.root.hook('onResize', [size]);
        for (const i of instancesOf(p)) i.pageLifetime('resize', [size]);
      }
      break;
  }
}

function appShow(opts: { scene?: number; path?: string; query?: Record<string, string>; referrerInfo?: Record<string, unknown> }): void {
  const o: LaunchOptions = { ...state.enter!, ...(opts.scene !== undefined ? { scene: opts.scene } : {}) };
  if (opts.path) {
    o.path = opts.path;
    o.query = opts.query || {};
  }
  // Back from another mini program (1038): its appId and navigateBackMiniProgram's extraData.
  if (opts.referrerInfo) o.referrerInfo = opts.referrerInfo;
  state.enter = o;
  const app = state.app;
  if (app && typeof app.onShow === 'function') {
    try {
      (app.onShow as Function).call(app, { ...o });
    } catch (e) {
      reportError('App.onShow', e);
    }
  }
  for (const l of state.appShowListeners) l({ ...o });
  // Opened again with a page (a scan, a share card, a link with a path):
  // WeChat relaunches the running app on that page.
  const route = opts.path ? joinPath('', opts.path) : '';
  const p = top();
  if (route && pageExists(route) && (!p || p.route !== route)) {
    const q = Object.entries(opts.query || {})
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    reLaunch('/' + route + (q ? '?' + q : '')).catch((e) => reportError('reLaunch', e));
    return;
  }
  if (p) showPage(p);
}

function appHide(): void {
  const p = top();
  if (p) hidePage(p);
  const app = state.app;
  if (app && typeof app.onHide === 'function') {
    try {
      (app.onHide as Function).call(app);
    } catch (e) {
      reportError('App.onHide', e);
    }
  }
  for (const l of state.appHideListeners) l();
}

/** Set by api.ts: the storage snapshot arrives with boot. */
export let onStorageSnapshot: (s: StorageSnapshot) => void = () => {};
export function setStorageSnapshotHandler(f: typeof onStorageSnapshot): void {
  onStorageSnapshot = f;
}

export function handleMessage(msg: ViewToLogic): void {
  switch (msg.t) {
    case 'boot':
      onStorageSnapshot(msg.storage || {});
      if (msg.version) state.version = msg.version;
      boot(msg.manifest, msg.env, msg.launch).catch((e) => reportError('launch', e));
      break;
    case 'event':
      onEvent(msg);
      break;
    case 'result':
      onResult(msg);
      break;
    case 'acked':
      onAcked(msg.ack);
      break;
    case 'viewEvent':
      onViewEvent(msg);
      break;
    case 'appShow':
      appShow(msg);
      break;
    case 'appHide':
      appHide();
      break;
  }
  flush();
}
