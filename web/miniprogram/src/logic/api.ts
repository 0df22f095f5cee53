// The `wx` object of the logic layer. Core APIs live here; more are added
// with defineApi() from src/logic/api/*.ts. Asynchronous APIs take
// success/fail/complete and return a Promise when none is given; results
// carry errMsg "<name>:ok" or "<name>:fail <reason>", as in WeChat.

import type { StorageSnapshot } from '../protocol';
import { camel, scopeSelector } from '../names';
import { callView } from './channel';
import { CORE, datasetOf, marksOf } from './tree';
import {
  currentPage, pageById, navigateBack, navigateTo, noteNavigationRequest, reLaunch, redirectTo, setStorageSnapshotHandler, state, switchTab,
} from './runtime';

export const wx: Record<string, unknown> = {};

/** Adds (or replaces) wx[name]. */
export function defineApi(name: string, impl: unknown): void {
  wx[name] = impl;
}

/** An API failure: errMsg becomes "<name>:fail <message>" (unless message already starts with "<name>:"). */
export class ApiError extends Error {
  constructor(message: string, public extra: Record<string, unknown> = {}) {
    super(message);
  }
}

type Opts = Record<string, unknown> & { success?: Function; fail?: Function; complete?: Function };

/** WeChat's errMsg of a failure: "<name>:fail <why>", unless the message already names the API. */
export function errMsgOf(name: string, e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.startsWith(name + ':') ? m : `${name}:fail ${m}`;
}

/** WeChat's name of a value's type in parameter errors: "should be String instead of Undefined;". */
export function typeName(v: unknown): string {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'Null';
  if (Array.isArray(v)) return 'Array';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer';
  const t = typeof v;
  return t[0].toUpperCase() + t.slice(1);
}

/**
 * Wraps an async implementation into WeChat's calling convention. impl
 * gets the options object and resolves to the result fields (errMsg added).
 */
export function asyncApi(name: string, impl: (opts: Opts) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void) {
  return function (opts: Opts = {}): Promise<Record<string, unknown>> | undefined {
    opts = opts || {};
    const p = Promise.resolve()
      .then(() => impl(opts))
      .then(
        (r) => ({ errMsg: `${name}:ok`, ...(r || {}) }),
        (e) => {
          throw { errMsg: errMsgOf(name, e), ...(e instanceof ApiError ? e.extra : {}) };
        },
      );
    return withCallbacks(p, opts) ? undefined : p;
  };
}

/**
 * WeChat's callback form: when the options hold success, fail or complete,
 * they get the outcome of p (and the caller returns no Promise). Returns
 * whether there were any.
 */
export function withCallbacks(p: Promise<Record<string, unknown>>, o: Record<string, unknown>): boolean {
  const { success, fail, complete } = o as { success?: Function; fail?: Function; complete?: Function };
  if (typeof success !== 'function' && typeof fail !== 'function' && typeof complete !== 'function') return false;
  p.then(
    (res) => {
      if (typeof success === 'function') success(res);
      if (typeof complete === 'function') complete(res);
    },
    (err) => {
      if (typeof fail === 'function') fail(err);
      if (typeof complete === 'function') complete(err);
    },
  );
  return true;
}

/** Defines an async API wx[name]. */
export function defineAsync(name: string, impl: Parameters<typeof asyncApi>[1]): void {
  defineApi(name, asyncApi(name, impl));
}

/** A shell-relayed call (request, login…): the view forwards it to the shell. */
export function callShell(name: string, ...args: unknown[]): Promise<unknown> {
  return callView(name, ...args);
}

export { callView };

function pageId(): number {
  const p = currentPage();
  if (!p) throw new ApiError('no page');
  return p.id;
}

// ---- routing ----

/** A navigation API: the request is counted at once (boot checks whether onPageNotFound made one), then runs as usual. */
function defineNavigation(name: string, impl: Parameters<typeof asyncApi>[1]): void {
  const api = asyncApi(name, impl);
  defineApi(name, (o?: Opts) => {
    noteNavigationRequest();
    return api(o);
  });
}
defineNavigation('navigateTo', async (o) => ({ ...(await navigateTo(o.url, o.events as Record<string, Function>)) }));
defineNavigation('redirectTo', async (o) => void (await redirectTo(o.url)));
defineNavigation('switchTab', async (o) => void (await switchTab(o.url)));
defineNavigation('reLaunch', async (o) => void (await reLaunch(o.url)));
defineNavigation('navigateBack', async (o) => void (await navigateBack(o.delta === undefined ? 1 : Number(o.delta))));

// ---- app ----

defineApi('getLaunchOptionsSync', () => ({ ...state.launch }));
defineApi('getEnterOptionsSync', () => ({ ...state.enter }));
const listener = (list: Function[]) => [
  (f: Function) => {
    if (typeof f === 'function' && !list.includes(f)) list.push(f);
  },
  (f?: Function) => {
    if (!f) list.length = 0;
    else {
      const i = list.indexOf(f);
      if (i >= 0) list.splice(i, 1);
    }
  },
];
[['AppShow', state.appShowListeners], ['AppHide', state.appHideListeners], ['Error', state.errorListeners],
  ['UnhandledRejection', state.rejectionListeners], ['PageNotFound', state.pageNotFoundListeners]].forEach(([n, l]) => {
  const [on, off] = listener(l as Function[]);
  defineApi('on' + n, on);
  defineApi('off' + n, off);
});
defineApi('nextTick', (f: Function) => {
  Promise.resolve().then(() => f());
});

// ---- system info (from the view's snapshot at boot) ----

function env(): Record<string, any> {
  return (state.env || {}) as Record<string, any>;
}
function windowInfo() {
  const e = env();
  return {
    pixelRatio: e.pixelRatio, screenWidth: e.screenWidth, screenHeight: e.screenHeight, windowWidth: e.windowWidth,
    windowHeight: e.windowHeight, statusBarHeight: e.statusBarHeight || 0, screenTop: 0,
    safeArea: { left: 0, right: e.screenWidth, top: e.statusBarHeight || 0, bottom: e.screenHeight, width: e.screenWidth, height: e.screenHeight - (e.statusBarHeight || 0) },
  };
}
function systemInfo() {
  const e = env();
  return {
    brand: e.brand, model: e.model, system: e.system, platform: e.platform, language: e.language, version: e.version,
    SDKVersion: e.SDKVersion, fontSizeSetting: 16, benchmarkLevel: 1, theme: e.theme, enableDebug: false,
    albumAuthorized: false, cameraAuthorized: false, locationAuthorized: false, microphoneAuthorized: false,
    notificationAuthorized: false, bluetoothEnabled: false, locationEnabled: false, wifiEnabled: true, deviceOrientation: 'portrait',
    host: { appId: '' },
    ...windowInfo(),
  };
}
defineApi('getSystemInfoSync', systemInfo);
defineAsync('getSystemInfo', () => systemInfo());
defineAsync('getSystemInfoAsync', () => systemInfo());
defineApi('getWindowInfo', windowInfo);
defineApi('getDeviceInfo', () => {
  const e = env();
  return { brand: e.brand, model: e.model, system: e.system, platform: e.platform, pixelRatio: e.pixelRatio, benchmarkLevel: 1, abi: '', deviceAbi: '', cpuType: '', memorySize: 0 };
});
defineApi('getAppBaseInfo', () => {
  const e = env();
  return { SDKVersion: e.SDKVersion, enableDebug: false, host: { appId: '' }, language: e.language, version: e.version, theme: e.theme, fontSizeSetting: 16 };
});
defineApi('getAccountInfoSync', () => ({
  miniProgram: { appId: state.manifest?.appid || '', envVersion: state.version.envVersion, version: state.version.version },
  plugin: {},
}));
// ext.json's ext as committed with the version (third-party platforms' templates); {} without one.
const extConfig = () => JSON.parse(JSON.stringify(state.version.extConfig || {})) as Record<string, unknown>;
defineApi('getExtConfigSync', extConfig);
defineAsync('getExtConfig', async () => ({ extConfig: extConfig() }));

const COMPONENTS = new Set(['view', 'text', 'image', 'button', 'input', 'textarea', 'scroll-view', 'swiper', 'swiper-item', 'navigator', 'icon',
  'form', 'checkbox', 'checkbox-group', 'radio', 'radio-group', 'switch', 'slider', 'picker', 'picker-view', 'picker-view-column', 'label', 'progress', 'rich-text',
  'block', 'slot', 'template', 'cover-view', 'cover-image', 'movable-area', 'movable-view']);
defineApi('canIUse', (schema: string) => {
  if (typeof schema !== 'string' || !schema) return false;
  const parts = schema.split('.');
  const head = parts[0];
  // wx.cloud is only a getter that warns: there is no cloud development here.
  if (head === 'cloud') return false;
  if (head in wx) {
    if (parts.length === 1) return true;
    // "getSystemInfoSync.return.screenWidth" & co: known when the API exists.
    return parts[1] === 'return' || parts[1] === 'object' || parts[1] === 'success';
  }
  return COMPONENTS.has(head);
});

// ---- storage: synchronous cache, written behind to the shell ----

const MAX_ITEM = 1024 * 1024;
const MAX_TOTAL = 10 * 1024 * 1024;
let store = new Map<string, { value: unknown; size: number }>();
let total = 0;

setStorageSnapshotHandler((snap: StorageSnapshot) => {
  store = new Map();
  total = 0;
  for (const [k, v] of Array.isArray(snap) ? snap : Object.entries(snap)) {
    if (typeof k !== 'string') continue;
    const size = sizeOf(k, v);
    store.set(k, { value: v, size });
    total += size;
  }
});

function sizeOf(key: string, value: unknown): number {
  let s: string;
  try {
    s = JSON.stringify(value) ?? '';
  } catch {
    s = '';
  }
  // UTF-8 bytes of key and value.
  return utf8Length(key) + utf8Length(s);
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function writeBehind(name: string, ...args: unknown[]): void {
  callShell(name, ...args).catch((e) => console.error(`${name} failed:`, e instanceof Error ? e.message : e));
}

function checkKey(api: string, key: unknown): string {
  if (typeof key !== 'string') throw new Error(`${api}:fail parameter error: parameter.key should be String instead of ${typeName(key)};`);
  return key;
}

/**
 * What storage keeps of a value: its JSON form, except that a Date stays a
 * Date (WeChat records the value's type beside it; structured clone and
 * IndexedDB keep a Date as one on the way to the shell and back).
 */
function isDate(v: unknown): v is Date {
  return Object.prototype.toString.call(v) === '[object Date]';
}

function storedForm(data: unknown): unknown {
  if (isDate(data)) return new Date(data.getTime());
  return data === undefined ? undefined : JSON.parse(JSON.stringify(data) ?? 'null');
}

function setItem(api: string, key: unknown, data: unknown): void {
  const k = checkKey(api, key);
  const value = storedForm(data);
  const size = sizeOf(k, value);
  if (size > MAX_ITEM) throw new Error(`${api}:fail exceed storage item max length`);
  const old = store.get(k);
  if (total - (old ? old.size : 0) + size > MAX_TOTAL) throw new Error(`${api}:fail exceed storage max size 10Mb`);
  store.set(k, { value, size });
  total += size - (old ? old.size : 0);
  writeBehind('storage.set', k, value);
}

function getItem(key: string): { found: boolean; value: unknown } {
  const it = store.get(key);
  if (!it) return { found: false, value: '' };
  return { found: true, value: isDate(it.value) ? new Date(it.value.getTime()) : it.value };
}

function removeItem(key: string): void {
  const it = store.get(key);
  if (!it) return;
  total -= it.size;
  store.delete(key);
  writeBehind('storage.remove', key);
}

function clearAll(): void {
  store.clear();
  total = 0;
  writeBehind('storage.clear');
}

function info() {
  return { keys: [...store.keys()], currentSize: Math.ceil(total / 1024), limitSize: MAX_TOTAL / 1024 };
}

defineApi('setStorageSync', (key: unknown, data: unknown) => setItem('setStorageSync', key, data));
defineApi('getStorageSync', (key: unknown) => getItem(checkKey('getStorageSync', key)).value);
defineApi('removeStorageSync', (key: unknown) => removeItem(checkKey('removeStorageSync', key)));
defineApi('clearStorageSync', () => clearAll());
defineApi('getStorageInfoSync', () => info());
defineAsync('setStorage', (o) => {
  setItem('setStorage', o.key, o.data);
});
defineAsync('getStorage', (o) => {
  const r = getItem(checkKey('getStorage', o.key));
  if (!r.found) throw new Error('getStorage:fail data not found');
  return { data: r.value };
});
defineAsync('removeStorage', (o) => {
  removeItem(checkKey('removeStorage', o.key));
});
defineAsync('clearStorage', () => {
  clearAll();
});
defineAsync('getStorageInfo', () => info());

// ---- UI drawn by the view ----

defineAsync('showToast', async (o) => {
  await callView('toast.show', { title: String(o.title ?? ''), icon: o.icon ?? 'success', image: o.image, duration: o.duration ?? 1500, mask: !!o.mask });
});
defineAsync('hideToast', async () => void (await callView('toast.hide')));
defineAsync('showLoading', async (o) => {
  await callView('loading.show', { title: String(o.title ?? ''), mask: !!o.mask });
});
defineAsync('hideLoading', async () => void (await callView('loading.hide')));
defineAsync('showModal', async (o) => {
  const r = (await callView('modal.show', {
    title: String(o.title ?? ''), content: String(o.content ?? ''), showCancel: o.showCancel !== false,
    cancelText: o.cancelText ?? '取消', cancelColor: o.cancelColor ?? '#000000', confirmText: o.confirmText ?? '确定',
    confirmColor: o.confirmColor ?? '#576B95', editable: !!o.editable, placeholderText: o.placeholderText ?? '',
  })) as { confirm: boolean; content?: string };
  const res: Record<string, unknown> = { confirm: !!r.confirm, cancel: !r.confirm };
  if (o.editable) res.content = r.content ?? '';
  return res;
});
defineAsync('showActionSheet', async (o) => {
  const items = Array.isArray(o.itemList) ? o.itemList.map(String) : [];
  if (!items.length || items.length > 6) throw new Error('showActionSheet:fail parameter error: itemList should have 1 to 6 items');
  const r = (await callView('actionSheet.show', { itemList: items, itemColor: o.itemColor ?? '#000000', alertText: o.alertText })) as { tapIndex: number };
  if (r.tapIndex < 0) throw new Error('showActionSheet:fail cancel');
  return { tapIndex: r.tapIndex };
});

defineAsync('setNavigationBarTitle', async (o) => void (await callView('navbar.title', pageId(), String(o.title ?? ''))));
defineAsync('setNavigationBarColor', async (o) => {
  const front = String(o.frontColor ?? '').toLowerCase();
  if (front !== '#ffffff' && front !== '#000000') throw new Error('setNavigationBarColor:fail invalid frontColor "' + String(o.frontColor) + '"');
  await callView('navbar.color', pageId(), { frontColor: front, backgroundColor: o.backgroundColor, animation: o.animation });
});
defineAsync('showNavigationBarLoading', async () => void (await callView('navbar.loading', pageId(), true)));
defineAsync('hideNavigationBarLoading', async () => void (await callView('navbar.loading', pageId(), false)));
defineAsync('hideHomeButton', () => {});

const tabOps = ['setTabBarBadge', 'removeTabBarBadge', 'showTabBarRedDot', 'hideTabBarRedDot', 'showTabBar', 'hideTabBar', 'setTabBarStyle', 'setTabBarItem'];
for (const op of tabOps) {
  defineAsync(op, async (o) => {
    if (!state.manifest?.app.tabBar) throw new Error(`${op}:fail not TabBar page`);
    const { success: _s, fail: _f, complete: _c, ...args } = o;
    await callView('tabBar', op, args);
  });
}

defineAsync('startPullDownRefresh', async () => void (await callView('pullDown', pageId(), true)));
defineAsync('stopPullDownRefresh', async () => void (await callView('pullDown', pageId(), false)));
defineAsync('pageScrollTo', async (o) => {
  if (o.scrollTop === undefined && !o.selector) throw new Error('pageScrollTo:fail scrollTop or selector is required');
  await callView('page.scrollTo', pageId(), { scrollTop: o.scrollTop, selector: o.selector, duration: o.duration ?? 300, offsetTop: o.offsetTop ?? 0 });
});

defineApi('getMenuButtonBoundingClientRect', () => {
  const w = env().windowWidth || 375;
  const top = (env().statusBarHeight || 0) + 4;
  return { width: 87, height: 32, top, bottom: top + 32, right: w - 7, left: w - 94 };
});

defineApi('env', { USER_DATA_PATH: 'wxfile://usr' });

// ---- selector query (answered by the view from the page's DOM) ----

interface QueryReq {
  page: number;
  selector: string;
  all: boolean;
  viewport?: boolean;
  fields: Record<string, unknown>;
}

/** Class selectors inside a component's template carry its style scope. */
function scoped(selector: string, comp: Record<string | symbol, unknown> | null): string {
  const core = comp ? ((comp as Record<symbol, unknown>)[CORE] as { scope?: string; classMode?: string } | undefined) : undefined;
  return core ? scopeSelector(selector, core.scope, core.classMode) : selector;
}

class NodesRef {
  constructor(private q: SelectorQuery, private sel: string, private all: boolean, private viewport = false) {}
  private add(fields: Record<string, unknown>, cb?: Function) {
    this.q.push({ page: this.q.page(), selector: this.sel, all: this.all, viewport: this.viewport, fields }, cb);
    return this.q;
  }
  boundingClientRect(cb?: Function) {
    return this.add({ id: true, dataset: true, rect: true, size: true }, cb);
  }
  scrollOffset(cb?: Function) {
    return this.add({ id: true, dataset: true, scrollOffset: true }, cb);
  }
  fields(f: Record<string, unknown>, cb?: Function) {
    return this.add({ ...f }, cb);
  }
  node(cb?: Function) {
    return this.add({ node: true }, cb);
  }
  context(cb?: Function) {
    return this.add({ context: true }, cb);
  }
}

class SelectorQuery {
  private reqs: QueryReq[] = [];
  private cbs: Array<Function | undefined> = [];
  private comp: Record<string | symbol, unknown> | null = null;
  in(comp: Record<string | symbol, unknown>) {
    this.comp = comp;
    return this;
  }
  page(): number {
    const core = this.comp ? ((this.comp as Record<symbol, unknown>)[CORE] as { page?: { id: number } }) : null;
    return core && core.page ? core.page.id : pageId();
  }
  select(sel: string) {
    return new NodesRef(this, scoped(sel, this.comp), false);
  }
  selectAll(sel: string) {
    return new NodesRef(this, scoped(sel, this.comp), true);
  }
  selectViewport() {
    return new NodesRef(this, '', false, true);
  }
  push(r: QueryReq, cb?: Function) {
    this.reqs.push(r);
    this.cbs.push(cb);
  }
  exec(cb?: Function) {
    const reqs = this.reqs;
    const cbs = this.cbs;
    callView('selectorQuery', reqs).then(
      (res) => {
        const list = (res as unknown[]).map((r, i) => fromLogicTree(reqs[i], r));
        list.forEach((r, i) => {
          const f = cbs[i];
          if (f) f(r);
        });
        if (cb) cb(list);
      },
      (e) => console.error('selectorQuery', e),
    );
    return this;
  }
}

/**
 * The view has no data-* attributes, marks or property values: it answers
 * with each node's id ($node) and they are read here from the logic tree.
 */
function fromLogicTree(req: QueryReq, r: unknown): unknown {
  if (Array.isArray(r)) return r.map((x) => fromLogicTree(req, x));
  if (!r || typeof r !== 'object') return r;
  const o = r as Record<string, unknown>;
  const id = o.$node;
  delete o.$node;
  const node = typeof id === 'number' ? pageById(req.page)?.nodes.get(id) : undefined;
  const attrs = node ? node.attrs : {};
  const f = req.fields;
  if (f.dataset) o.dataset = datasetOf(attrs);
  if (f.mark) o.mark = marksOf(attrs) || {};
  if (Array.isArray(f.properties)) for (const k of f.properties as string[]) o[k] = k in attrs ? attrs[k] : attrs[camel(k)];
  return o;
}

defineApi('createSelectorQuery', () => new SelectorQuery());
