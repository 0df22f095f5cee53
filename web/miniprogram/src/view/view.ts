// The view layer: applies the logic layer's ops to the DOM of each page,
// sends DOM and widget events back, draws the page stack, navigation bar
// and tabBar, and answers the view-side calls (toast, modal, navigation
// bar, tabBar, page scroll, pull-down refresh).
//
// Each page lives in its own shadow root, so a page's WXSS applies to that
// page only (WeChat gives every page its own webview).

import type { Code, Env, LogicToView, Manifest, MsgCall, MsgPage, Op, Sheet, TabBarConfig, Touch, ViewToLogic, WindowConfig } from '../protocol';
import { chromeCSS, inlineStyle, joinSheet, mapUrls, pageBaseCSS, rpxToPx, setWindowWidth } from './styles';
import { hideLoading, hideToast, showActionSheet, showLoading, showModal, showToast } from './ui';
import { joinPath } from '../names';
import { attachWidget, CORE_ATTRS, widgetFor, type Widget } from './widget';
import { applyAnimation, disconnectPage, setViewApiHost, viewApi } from './api/index';

type MpNode = (Element | Text) & { __id?: number; __w?: Widget; __ev?: string[]; __cls?: string[]; __wt?: boolean };

/**
 * Attributes a widget reflects on its element itself, normalised (type="primary",
 * a valueless disabled…): the core must not copy the raw values there.
 */
const WIDGET_STATE_ATTRS = new Set([
  'type', 'size', 'plain', 'disabled', 'loading', 'checked', 'mode', 'vertical', 'enableFlex', 'enable-flex',
  'scrollX', 'scroll-x', 'focused', 'autoHeight', 'auto-height', 'selectable',
]);
/** Widget events that are requests to the logic layer, sent whether or not anything is bound. */
const REQUEST_EVENTS = new Set(['navigate', 'opentype', 'openlink']);
const LONGPRESS_MS = 350;
const TAP_SLOP = 10;

export interface ViewHost {
  /** Posts to the logic layer (the worker). */
  toLogic(msg: ViewToLogic): void;
  /** A call the view cannot answer: relayed to the shell; resolves with its value. */
  relay(name: string, args: unknown[]): Promise<unknown>;
  /** The service.js of a subpackage (fetched from the shell on first need); rejects when it cannot be fetched. */
  loadPackage(root: string): Promise<Code>;
  /** Tells the shell about the visible page (title and colors for the capsule bar). */
  state(title: string, front: string, back: string): void;
  launched(path: string): void;
}

class PageView {
  nodes = new Map<number, MpNode>();
  host: HTMLElement;
  shadow: ShadowRoot;
  root: HTMLElement;
  ptr: HTMLElement;
  title: string;
  front: string;
  back: string;
  loading = false;
  refreshing = false;
  nearBottom = false;
  scrollPending = false;
  isTab: boolean;
  constructor(public id: number, public route: string, public win: WindowConfig, tab: number) {
    this.isTab = tab >= 0;
    this.title = String(win.navigationBarTitleText ?? '');
    this.front = win.navigationBarTextStyle === 'white' ? '#ffffff' : '#000000';
    this.back = String(win.navigationBarBackgroundColor || '#000000');
    this.host = document.createElement('div');
    this.host.className = 'mp-page';
    if (win.navigationStyle === 'custom') this.host.classList.add('mp-custom');
    if (win.disableScroll) this.host.classList.add('mp-noscroll');
    if (win.backgroundColor) this.host.style.background = String(win.backgroundColor);
    this.shadow = this.host.attachShadow({ mode: 'open' });
    this.ptr = document.createElement('div');
    this.ptr.className = 'mp-ptr' + (win.backgroundTextStyle === 'light' ? ' dark' : '');
    this.ptr.innerHTML = '<i></i><i></i><i></i>';
    this.root = document.createElement('wx-page');
    (this.root as MpNode).__id = 0;
    this.nodes.set(0, this.root as MpNode);
    this.shadow.append(this.ptr, this.root);
  }
}

export class View {
  private pages = new Map<number, PageView>();
  private stack: number[] = [];
  private manifest!: Manifest;
  private styles = new Map<string, Sheet>();
  private sheets = new Map<string, CSSStyleSheet>();
  private baseSheet = new CSSStyleSheet();
  private assetBase = '/mp/pkg/';
  private nav: HTMLElement;
  private navTitle: HTMLElement;
  private navBack: HTMLButtonElement;
  private pagesEl: HTMLElement;
  private tabbar: HTMLElement;
  private overlay: HTMLElement;
  private tabState: { cfg: TabBarConfig; items: Array<{ text: string; icon: string; selected: string; badge: string; dot: boolean }>; hidden: boolean } | null = null;
  private launchedOnce = false;
  /** Presses long enough for longpress, numbered (MsgEvent.press). */
  private presses = 0;

  constructor(private host: ViewHost, componentCSS: string) {
    const style = document.createElement('style');
    // Widgets draw some parts in the overlay, outside every page's shadow
    // root (the picker's bottom sheet): their styles apply there too.
    style.textContent = chromeCSS + componentCSS;
    document.head.appendChild(style);
    this.baseSheet.replaceSync(pageBaseCSS + componentCSS);
    this.nav = document.createElement('div');
    this.nav.className = 'mp-nav';
    this.navBack = document.createElement('button');
    this.navBack.className = 'mp-back';
    this.navBack.setAttribute('aria-label', 'back');
    this.navBack.onclick = () => {
      const top = this.stack[this.stack.length - 1];
      this.host.toLogic({ t: 'viewEvent', page: top, kind: 'back' });
    };
    this.navTitle = document.createElement('div');
    this.navTitle.className = 'mp-title';
    this.nav.append(this.navBack, this.navTitle);
    this.pagesEl = document.createElement('div');
    this.pagesEl.className = 'mp-pages';
    this.tabbar = document.createElement('div');
    this.tabbar.className = 'mp-tabbar';
    this.tabbar.hidden = true;
    this.overlay = document.createElement('div');
    this.overlay.className = 'mp-overlay';
    document.body.append(this.pagesEl, this.nav, this.tabbar, this.overlay);
    window.addEventListener('resize', () => this.onResize());
    setViewApiHost({
      toLogic: (m) => this.host.toLogic(m),
      relay: (name, args) => this.host.relay(name, args),
      page: (id) => this.pages.get(id) ?? null,
      overlay: this.overlay,
      resolveURL: (src, base) => this.resolveURL(src, base),
    });
  }

  /** The environment snapshot the logic layer answers getSystemInfoSync from. */
  env(extra: Partial<Env> = {}): Env {
    const w = window.innerWidth || 375;
    const h = window.innerHeight || 667;
    return {
      windowWidth: w, windowHeight: h - 44, screenWidth: w, screenHeight: h, pixelRatio: window.devicePixelRatio || 1,
      statusBarHeight: 0, language: navigator.language || 'zh_CN', platform: 'web', system: 'Web', brand: 'superapp',
      model: 'web', version: '8.0.50', SDKVersion: '3.5.0', theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
      ...extra,
    };
  }

  start(manifest: Manifest, styles: Record<string, Sheet>, assetBase: string): void {
    this.manifest = manifest;
    this.assetBase = assetBase;
    setWindowWidth(window.innerWidth);
    this.addStyles(styles);
    const tb = manifest.app.tabBar;
    if (tb && Array.isArray(tb.list) && tb.list.length && !tb.custom) {
      this.tabState = {
        cfg: { ...tb },
        items: tb.list.map((i) => ({ text: i.text || '', icon: i.iconPath || '', selected: i.selectedIconPath || '', badge: '', dot: false })),
        hidden: false,
      };
      if (tb.position === 'top') this.tabbar.classList.add('top');
    }
  }

  addStyles(styles: Record<string, Sheet>): void {
    for (const [path, sheet] of Object.entries(styles)) {
      this.styles.set(path, sheet);
      this.sheets.delete(path);
    }
  }

  // ---- assets ----

  /** A package path (absolute, or relative to `base`) → its content-addressed URL. */
  resolveURL(src: string, base = ''): string {
    if (!src || /^(https?:|data:|blob:|\/\/)/.test(src)) return src;
    let path = src.startsWith('/') ? src.slice(1) : joinPath(base.includes('/') ? base.slice(0, base.lastIndexOf('/')) : '', src);
    path = path.split('?')[0].split('#')[0];
    for (const pkg of this.manifest.packages) {
      const h = pkg.files[path] || (pkg.root && path.startsWith(pkg.root) ? pkg.files[path.slice(pkg.root.length)] : undefined);
      if (h) return this.assetBase + h;
    }
    return src;
  }

  private sheet(path: string): CSSStyleSheet | null {
    let s = this.sheets.get(path);
    if (s) return s;
    const src = this.styles.get(path);
    if (!src) return null;
    s = new CSSStyleSheet();
    try {
      s.replaceSync(mapUrls(joinSheet(src), (u) => this.resolveURL(u, path)));
    } catch (e) {
      console.error('stylesheet', path, e);
    }
    this.sheets.set(path, s);
    return s;
  }

  private sheetsFor(route: string): CSSStyleSheet[] {
    const out: CSSStyleSheet[] = [this.baseSheet];
    const add = (p: string) => {
      const s = this.sheet(p);
      if (s && !out.includes(s)) out.push(s);
    };
    add('app.wxss');
    for (const c of Object.keys(this.manifest.components)) add(c + '.wxss');
    add(route + '.wxss');
    return out;
  }

  private onResize(): void {
    setWindowWidth(window.innerWidth);
    this.sheets.clear();
    for (const p of this.pages.values()) p.shadow.adoptedStyleSheets = this.sheetsFor(p.route);
    const top = this.stack[this.stack.length - 1];
    this.host.toLogic({ t: 'viewEvent', page: top ?? 0, kind: 'resize', env: this.env() });
  }

  // ---- messages from the logic layer ----

  handle(msg: LogicToView): void {
    switch (msg.t) {
      case 'page':
        this.addPage(msg);
        break;
      case 'ops': {
        const p = this.pages.get(msg.page);
        if (p) this.apply(p, msg.ops);
        if (msg.ack !== undefined) this.host.toLogic({ t: 'acked', ack: msg.ack });
        if (!this.launchedOnce && p) {
          this.launchedOnce = true;
          this.host.launched(p.route);
        }
        break;
      }
      case 'close': {
        const p = this.pages.get(msg.page);
        disconnectPage(msg.page);
        if (p) {
          this.destroyTree(p.root);
          p.host.remove();
          this.pages.delete(msg.page);
        }
        break;
      }
      case 'stack':
        this.stack = msg.pages;
        this.showTop();
        break;
      case 'call':
        this.call(msg);
        break;
    }
  }

  private addPage(msg: MsgPage): void {
    const p = new PageView(msg.page, msg.route, msg.window, msg.tab ?? -1);
    p.shadow.adoptedStyleSheets = this.sheetsFor(msg.route);
    if (p.isTab && this.tabState) {
      p.host.classList.add('mp-tab');
      if (this.tabState.cfg.position === 'top') p.host.classList.add('mp-tab-top');
    }
    p.host.classList.add('mp-hidden');
    if (msg.how === 'push') p.host.classList.add('mp-enter');
    p.host.addEventListener('animationend', () => p.host.classList.remove('mp-enter'));
    this.listen(p);
    this.pagesEl.appendChild(p.host);
    this.pages.set(p.id, p);
  }

  private showTop(): void {
    const topId = this.stack[this.stack.length - 1];
    for (const p of this.pages.values()) p.host.classList.toggle('mp-hidden', p.id !== topId);
    const top = this.pages.get(topId);
    if (!top) return;
    this.drawNav(top);
    this.drawTabBar(top);
  }

  private drawNav(p: PageView): void {
    const custom = p.win.navigationStyle === 'custom';
    this.nav.hidden = custom;
    this.nav.style.color = p.front;
    this.nav.style.background = p.back;
    this.navBack.hidden = this.stack.length <= 1;
    this.navTitle.textContent = '';
    if (p.loading) this.navTitle.appendChild(Object.assign(document.createElement('span'), { className: 'mp-spin' }));
    this.navTitle.appendChild(document.createTextNode(p.title));
    this.host.state(p.title, p.front, p.back);
  }

  private drawTabBar(top: PageView | undefined): void {
    this.drawTabBarItems(top);
    // The pages' box is the top page's viewport: below the navigation bar,
    // above (or below a top) tabBar; position: fixed in a page is relative to it.
    const tab = !this.tabbar.hidden;
    this.pagesEl.classList.toggle('mp-custom', top?.win.navigationStyle === 'custom');
    this.pagesEl.classList.toggle('mp-tab', tab);
    this.pagesEl.classList.toggle('mp-tab-top', tab && this.tabbar.classList.contains('top'));
  }

  private drawTabBarItems(top: PageView | undefined): void {
    const ts = this.tabState;
    if (!ts || !top || !top.isTab || ts.hidden) {
      this.tabbar.hidden = true;
      return;
    }
    const cfg = ts.cfg;
    this.tabbar.hidden = false;
    this.tabbar.style.background = cfg.backgroundColor || '#ffffff';
    this.tabbar.classList.toggle('white', cfg.borderStyle === 'white');
    this.tabbar.textContent = '';
    cfg.list.forEach((item, i) => {
      const st = ts.items[i];
      const selected = joinPath('', item.pagePath) === top.route;
      const b = document.createElement('button');
      b.className = 'mp-tab-item';
      b.style.color = selected ? cfg.selectedColor || '#1aad19' : cfg.color || '#7a7e83';
      const iconPath = selected && st.selected ? st.selected : st.icon;
      if (iconPath) {
        const img = document.createElement('img');
        img.src = this.resolveURL(iconPath);
        img.alt = '';
        b.appendChild(img);
      }
      b.appendChild(document.createTextNode(st.text));
      if (st.badge) b.appendChild(Object.assign(document.createElement('span'), { className: 'mp-badge', textContent: st.badge }));
      else if (st.dot) b.appendChild(Object.assign(document.createElement('span'), { className: 'mp-dot' }));
      b.onclick = () => this.host.toLogic({ t: 'viewEvent', page: top.id, kind: 'tab', index: i });
      this.tabbar.appendChild(b);
    });
  }

  // ---- ops ----

  private apply(p: PageView, ops: Op[]): void {
    for (const op of ops) {
      try {
        switch (op[0]) {
          case 'e':
            this.create(p, op[1], op[2], op[3]);
            break;
          case 't': {
            const t = document.createTextNode(op[2]) as MpNode;
            t.__id = op[1];
            p.nodes.set(op[1], t);
            break;
          }
          case 'i': {
            const parent = p.nodes.get(op[1]);
            const node = p.nodes.get(op[2]);
            if (!parent || !node) break;
            const container = (parent as MpNode).__w?.slot || (parent as Element);
            const before = op[3] ? p.nodes.get(op[3]) : null;
            container.insertBefore(node, before && before.parentNode === container ? before : null);
            break;
          }
          case 'r': {
            const node = p.nodes.get(op[1]);
            if (node) {
              // Widgets are destroyed while still in the document (they may need their element's context).
              this.forget(p, node);
              node.remove();
            }
            break;
          }
          case 'a': {
            const node = p.nodes.get(op[1]);
            if (node && node.nodeType === 1) this.setAttr(node as HTMLElement & MpNode, op[2], op[3]);
            break;
          }
          case 'x': {
            const node = p.nodes.get(op[1]);
            if (node && node.nodeType === 3) (node as Text).data = op[2];
            break;
          }
        }
      } catch (e) {
        console.error('op failed', op, e);
      }
    }
  }

  private create(p: PageView, id: number, tag: string, attrs: Record<string, unknown>): void {
    const el = document.createElement('wx-' + tag) as HTMLElement & MpNode;
    el.__id = id;
    p.nodes.set(id, el);
    const factory = attrs['wx-host'] === undefined ? widgetFor(tag) : undefined;
    el.__wt = !!factory;
    for (const [k, v] of Object.entries(attrs)) this.setAttr(el, k, v, true);
    if (factory) {
      const widgetAttrs: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(attrs)) if (k !== '$ev') widgetAttrs[k] = v;
      try {
        const w = factory({
          el,
          attrs: widgetAttrs,
          emit: (type, detail) => this.widgetEvent(p, el, type, detail),
          resolveURL: (src) => this.resolveURL(src, p.route),
          rpx: rpxToPx,
          overlay: () => this.overlay,
        });
        el.__w = w;
        attachWidget(el, w);
      } catch (e) {
        console.error(`widget <${tag}>`, e);
      }
    }
  }

  private setAttr(el: HTMLElement & MpNode, name: string, value: unknown, initial = false): void {
    switch (name) {
      case '$ev':
        el.__ev = Array.isArray(value) ? (value as string[]) : undefined;
        return;
      case 'class': {
        // Only the classes the template gave are replaced: a widget's own (hover-class…) stay.
        const next = value === null || value === undefined ? [] : String(value).split(/\s+/).filter(Boolean);
        const prev = el.__cls || [];
        const drop = prev.filter((c) => !next.includes(c));
        if (drop.length) el.classList.remove(...drop);
        if (next.length) el.classList.add(...next);
        el.__cls = next;
        break;
      }
      case 'id':
        if (value === null || value === undefined || value === '') el.removeAttribute('id');
        else el.id = String(value);
        break;
      case 'style':
        if (value === null || value === undefined || value === '') el.removeAttribute('style');
        else el.setAttribute('style', inlineStyle(String(value)));
        break;
      case 'hidden':
        el.toggleAttribute('hidden', !!value);
        break;
      case 'animation':
        applyAnimation(el, value);
        break;
      default: {
        if (el.__wt && WIDGET_STATE_ATTRS.has(name)) break;
        // wcc camelCases attribute names; the DOM shows them as written in WXML.
        const attr = name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        if (value === null || value === undefined || value === false) el.removeAttribute(attr);
        // An inline event handler (onclick, onerror…) would be script from
        // the logic layer: CSP already refuses it; never put it in the DOM.
        else if (/^on/i.test(attr) && attr.toLowerCase() in el) break;
        else if (typeof value !== 'object' && typeof value !== 'function') {
          try {
            el.setAttribute(attr, value === true ? '' : String(value));
          } catch {
            /* not a valid attribute name: widgets still get it */
          }
        }
      }
    }
    if (!initial && el.__w && el.__w.update && !(CORE_ATTRS.has(name) && name !== 'class' && name !== 'style')) el.__w.update(name, value);
  }

  private forget(p: PageView, node: Node): void {
    const n = node as MpNode;
    if (n.__id !== undefined && p.nodes.get(n.__id) === n) p.nodes.delete(n.__id);
    if (n.__w) {
      try {
        n.__w.destroy?.();
      } catch (e) {
        console.error('widget destroy', e);
      }
    }
    for (let c = node.firstChild; c; c = c.nextSibling) this.forget(p, c);
  }

  private destroyTree(root: Node): void {
    const walk = (n: Node) => {
      const w = (n as MpNode).__w;
      if (w) {
        try {
          w.destroy?.();
        } catch {
          /* the page is going away anyway */
        }
      }
      for (let c = n.firstChild; c; c = c.nextSibling) walk(c);
    };
    walk(root);
  }

  // ---- events ----

  /** The logic node an event target belongs to: the nearest element carrying an id. */
  private nodeOf(p: PageView, e: Event): (HTMLElement & MpNode) | null {
    for (const t of e.composedPath()) {
      const n = t as MpNode;
      if (n.__id !== undefined && n.nodeType === 1 && p.nodes.get(n.__id) === n) return n as HTMLElement & MpNode;
      if (t === p.root) return null;
    }
    return null;
  }

  /** Whether type is listened to on el or an ancestor (within the page). */
  private bound(el: Element, type: string): boolean {
    for (let n: Element | null = el; n; n = n.parentElement) {
      const ev = (n as MpNode).__ev;
      if (ev && ev.includes(type)) return true;
    }
    return false;
  }

  private send(p: PageView, el: HTMLElement & MpNode, type: string, detail: Record<string, unknown>, touches?: Touch[], changed?: Touch[], press?: number): void {
    this.host.toLogic({
      t: 'event', page: p.id, node: el.__id!, type, detail, touches, changedTouches: changed,
      target: { offsetLeft: el.offsetLeft || 0, offsetTop: el.offsetTop || 0 }, timeStamp: Math.round(performance.now()),
      ...(press ? { press } : {}),
    });
  }

  private widgetEvent(p: PageView, el: HTMLElement & MpNode, type: string, detail: Record<string, unknown>): void {
    if (REQUEST_EVENTS.has(type) || this.bound(el, type)) this.send(p, el, type, detail || {});
  }

  private listen(p: PageView): void {
    const touch = (e: PointerEvent): Touch => {
      const rect = p.host.getBoundingClientRect();
      return {
        identifier: e.pointerId, clientX: e.clientX, clientY: e.clientY, pageX: e.clientX - rect.left,
        pageY: e.clientY - rect.top + p.host.scrollTop, force: e.pressure || 1,
      };
    };
    const active = new Map<number, { el: HTMLElement & MpNode; x: number; y: number; moved: boolean; long: number; timer: number; t: Touch }>();
    const all = () => [...active.values()].map((a) => a.t);
    const fire = (el: HTMLElement & MpNode, type: string, detail: Record<string, unknown>, touches?: Touch[], changed?: Touch[], press?: number): boolean => {
      if (!this.bound(el, type)) return false;
      this.send(p, el, type, detail, touches, changed, press);
      return true;
    };
    const root = p.shadow;
    root.addEventListener('pointerdown', (ev) => {
      const e = ev as PointerEvent;
      if (e.button > 0) return;
      const el = this.nodeOf(p, e);
      if (!el) return;
      const t = touch(e);
      const st = {
        el, x: e.clientX, y: e.clientY, moved: false, long: 0, t,
        timer: window.setTimeout(() => {
          if (!st.moved) {
            // Whether a handler ran is the logic layer's to know: the tap
            // that ends this press carries its number, and the logic
            // layer drops it if a longpress/longtap handler ran.
            const press = ++this.presses;
            const a = fire(el, 'longpress', { x: t.pageX, y: t.pageY }, all(), [t], press);
            const b = fire(el, 'longtap', { x: t.pageX, y: t.pageY }, all(), [t], press);
            st.long = a || b ? press : 0;
          }
        }, LONGPRESS_MS),
      };
      active.set(e.pointerId, st);
      fire(el, 'touchstart', {}, all(), [t]);
    });
    root.addEventListener('pointermove', (ev) => {
      const e = ev as PointerEvent;
      const st = active.get(e.pointerId);
      if (!st) return;
      st.t = touch(e);
      if (Math.abs(e.clientX - st.x) > TAP_SLOP || Math.abs(e.clientY - st.y) > TAP_SLOP) st.moved = true;
      fire(st.el, 'touchmove', {}, all(), [st.t]);
    });
    const end = (ev: Event, cancel: boolean) => {
      const e = ev as PointerEvent;
      const st = active.get(e.pointerId);
      if (!st) return;
      clearTimeout(st.timer);
      active.delete(e.pointerId);
      const t = touch(e);
      fire(st.el, cancel ? 'touchcancel' : 'touchend', {}, all(), [t]);
      if (!cancel && !st.moved) fire(st.el, 'tap', { x: t.pageX, y: t.pageY }, all(), [t], st.long);
    };
    root.addEventListener('pointerup', (e) => end(e, false));
    root.addEventListener('pointercancel', (e) => end(e, true));
    // Scrolling: onPageScroll (one per frame) and onReachBottom (once per arrival).
    p.host.addEventListener('scroll', () => {
      if (!p.scrollPending) {
        p.scrollPending = true;
        requestAnimationFrame(() => {
          p.scrollPending = false;
          this.host.toLogic({ t: 'viewEvent', page: p.id, kind: 'scroll', scrollTop: p.host.scrollTop });
        });
      }
      const dist = Number(p.win.onReachBottomDistance ?? 50);
      const near = p.host.scrollHeight - p.host.scrollTop - p.host.clientHeight <= dist;
      if (near && !p.nearBottom) this.host.toLogic({ t: 'viewEvent', page: p.id, kind: 'reachBottom' });
      p.nearBottom = near;
    });
    if (p.win.enablePullDownRefresh) this.pullToRefresh(p);
  }

  private pullToRefresh(p: PageView): void {
    const HEIGHT = 60;
    let startY = -1;
    let dy = 0;
    const setOffset = (h: number, animate: boolean) => {
      p.ptr.style.transition = animate ? 'height .25s' : '';
      p.ptr.style.height = h + 'px';
    };
    p.shadow.addEventListener('pointerdown', (ev) => {
      const e = ev as PointerEvent;
      if (p.host.scrollTop > 0 || p.refreshing) return;
      startY = e.clientY;
      dy = 0;
    });
    p.shadow.addEventListener('pointermove', (ev) => {
      const e = ev as PointerEvent;
      if (startY < 0) return;
      dy = Math.max(0, e.clientY - startY);
      setOffset(Math.min(dy / 2, HEIGHT * 1.5), false);
    });
    const release = () => {
      if (startY < 0) return;
      startY = -1;
      if (dy / 2 >= HEIGHT) this.startRefresh(p, HEIGHT);
      else setOffset(0, true);
    };
    p.shadow.addEventListener('pointerup', release);
    p.shadow.addEventListener('pointercancel', release);
  }

  private startRefresh(p: PageView, height = 60): void {
    p.refreshing = true;
    p.ptr.style.transition = 'height .25s';
    p.ptr.style.height = height + 'px';
    p.host.scrollTop = 0;
    this.host.toLogic({ t: 'viewEvent', page: p.id, kind: 'pullDown' });
  }

  private stopRefresh(p: PageView): void {
    p.refreshing = false;
    p.ptr.style.transition = 'height .25s';
    p.ptr.style.height = '0px';
  }

  // ---- calls ----

  private async call(msg: MsgCall): Promise<void> {
    const reply = (ok: boolean, value?: unknown, error?: string) =>
      this.host.toLogic(ok ? { t: 'result', id: msg.id, ok, value } : { t: 'result', id: msg.id, ok, error });
    try {
      reply(true, await this.answer(msg.name, msg.args));
    } catch (e) {
      reply(false, undefined, e instanceof Error ? e.message : String(e));
    }
  }

  private page(id: unknown): PageView {
    const p = this.pages.get(Number(id));
    if (!p) throw new Error('page not found');
    return p;
  }

  private async answer(name: string, args: unknown[]): Promise<unknown> {
    const a = args[0] as any;
    switch (name) {
      case 'toast.show':
        showToast(this.overlay, a, (s) => this.resolveURL(s));
        return null;
      case 'toast.hide':
        hideToast();
        return null;
      case 'loading.show':
        showLoading(this.overlay, a);
        return null;
      case 'loading.hide':
        hideLoading();
        return null;
      case 'modal.show':
        return showModal(this.overlay, a);
      case 'actionSheet.show':
        return showActionSheet(this.overlay, a);
      case 'navbar.title': {
        const p = this.page(a);
        p.title = String(args[1] ?? '');
        if (this.isTop(p)) this.drawNav(p);
        return null;
      }
      case 'navbar.color': {
        const p = this.page(a);
        const o = args[1] as { frontColor: string; backgroundColor?: string };
        p.front = o.frontColor;
        if (o.backgroundColor) p.back = o.backgroundColor;
        if (this.isTop(p)) this.drawNav(p);
        return null;
      }
      case 'navbar.loading': {
        const p = this.page(a);
        p.loading = !!args[1];
        if (this.isTop(p)) this.drawNav(p);
        return null;
      }
      case 'pullDown': {
        const p = this.page(a);
        if (args[1]) this.startRefresh(p);
        else this.stopRefresh(p);
        return null;
      }
      case 'page.scrollTo': {
        const p = this.page(a);
        const o = args[1] as { scrollTop?: number; selector?: string; duration: number; offsetTop: number };
        let top = Number(o.scrollTop ?? 0);
        if (o.selector) {
          const target = p.shadow.querySelector(o.selector) as HTMLElement | null;
          if (!target) throw new Error(`selector "${o.selector}" matches no node`);
          top = target.getBoundingClientRect().top - p.host.getBoundingClientRect().top + p.host.scrollTop + Number(o.offsetTop || 0);
        }
        p.host.scrollTo({ top, behavior: o.duration > 0 ? 'smooth' : 'auto' });
        return null;
      }
      case 'tabBar':
        this.tabBarOp(String(a), (args[1] || {}) as Record<string, unknown>);
        return null;
      case 'package.load':
        return this.host.loadPackage(String(a));
      case 'package.preload':
        // preloadRule: fetched and kept by the frame, not yet evaluated.
        return this.host.loadPackage(String(a)).then(() => null);
      case 'selectorQuery':
        return this.query(a);
      case 'env':
        return this.env();
    }
    return viewApi(name, args) ?? this.host.relay(name, args);
  }

  private isTop(p: PageView): boolean {
    return this.stack[this.stack.length - 1] === p.id;
  }

  private tabBarOp(op: string, o: Record<string, unknown>): void {
    const ts = this.tabState;
    if (!ts) throw new Error('not TabBar page');
    const idx = Number(o.index);
    const item = () => {
      const it = ts.items[idx];
      if (!it) throw new Error('tabbar item not found');
      return it;
    };
    switch (op) {
      case 'setTabBarBadge': item().badge = String(o.text ?? ''); break;
      case 'removeTabBarBadge': item().badge = ''; break;
      case 'showTabBarRedDot': item().dot = true; break;
      case 'hideTabBarRedDot': item().dot = false; break;
      case 'showTabBar': ts.hidden = false; break;
      case 'hideTabBar': ts.hidden = true; break;
      case 'setTabBarStyle':
        for (const k of ['color', 'selectedColor', 'backgroundColor', 'borderStyle'] as const) if (o[k] !== undefined) ts.cfg[k] = String(o[k]);
        break;
      case 'setTabBarItem': {
        const it = item();
        if (o.text !== undefined) it.text = String(o.text);
        if (o.iconPath !== undefined) it.icon = String(o.iconPath);
        if (o.selectedIconPath !== undefined) it.selected = String(o.selectedIconPath);
        break;
      }
    }
    this.drawTabBar(this.pages.get(this.stack[this.stack.length - 1]));
  }

  /**
   * A selector query: [{page, selector, all, fields}] → per entry the
   * fields of the matching node(s) (null when none matches).
   */
  private query(reqs: Array<{ page: number; selector: string; all: boolean; fields: Record<string, unknown>; viewport?: boolean }>): unknown[] {
    return reqs.map((r) => {
      const p = this.pages.get(r.page);
      if (!p) return null;
      if (r.viewport) return this.fieldsOf(p, p.host, r.fields, true);
      let els: Element[];
      try {
        els = r.all ? [...p.shadow.querySelectorAll(r.selector)] : [p.shadow.querySelector(r.selector)].filter(Boolean) as Element[];
      } catch {
        return null;
      }
      const out = els.map((el) => this.fieldsOf(p, el as HTMLElement, r.fields, false));
      return r.all ? out : out[0] ?? null;
    });
  }

  private fieldsOf(p: PageView, el: HTMLElement, f: Record<string, unknown>, viewport: boolean): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    if (f.id) o.id = viewport ? '' : el.id;
    // dataset, mark and properties live in the logic layer: it reads them by node id.
    if (!viewport && (f.dataset || f.mark || Array.isArray(f.properties))) o.$node = (el as HTMLElement & MpNode).__id;
    if (f.rect || f.size) {
      const base = p.host.getBoundingClientRect();
      const r = viewport ? base : el.getBoundingClientRect();
      if (f.rect) Object.assign(o, { left: r.left - base.left, top: r.top - base.top, right: r.right - base.left, bottom: r.bottom - base.top });
      if (f.size) Object.assign(o, { width: r.width, height: r.height });
    }
    if (f.scrollOffset) {
      const s = viewport ? p.host : el;
      Object.assign(o, { scrollLeft: s.scrollLeft, scrollTop: s.scrollTop, scrollWidth: s.scrollWidth, scrollHeight: s.scrollHeight });
    }
    if (Array.isArray(f.computedStyle)) {
      const cs = getComputedStyle(el);
      for (const k of f.computedStyle as string[]) o[k] = cs.getPropertyValue(k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
    }
    return o;
  }
}


