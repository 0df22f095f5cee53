// One running mini program: its sandboxed frame, the shell side of the
// shell ↔ frame protocol (docs/miniprogram.md) and its life: a cold start
// loads it, leaving the container hides it (onHide) and keeps the frame for
// KEEP_ALIVE_MS, coming back shows it again (onShow) with its state, and
// after that time the frame is destroyed so the next open starts cold.
//
// Start-up: like WeChat, which keeps a WebView and a JS engine loaded before
// any mini program is opened, the shell keeps one spare container — a
// sandboxed frame with its view loaded and its worker running the logic
// runtime, no app code — prepared while the shell is idle. A launch claims
// it (or creates a frame at once, in parallel with the launch API) and only
// hands the app over. The spare belongs to no app and no user until
// claimed; a claimed frame is its session's forever and is destroyed with
// it, never reused. Spares are made only while someone is signed in.
import type { User } from '../api';
import { fetchBlob, fetchText, mpApi, runtimeInfo, type Code, type Launch, type Manifest } from './api';
import { handleCall, type BridgeUI } from './bridge';
import * as storage from './storage';

/** How long a mini program survives in the background. */
export const KEEP_ALIVE_MS = 5 * 60 * 1000;

export interface LaunchParams {
  path: string;
  query: Record<string, string>;
  scene: number;
  referrerInfo?: { appId: string; extraData?: unknown };
  /** Which version to open: release (default), trial or develop; unset: the launch URL's env_version. */
  envVersion?: string;
}

/** env_version of the page's URL when it is this app's launch URL (/miniprogram/<appid>?…&env_version=). */
function urlEnvVersion(appid: string): string {
  if (location.pathname !== '/miniprogram/' + encodeURIComponent(appid)) return '';
  return new URLSearchParams(location.search).get('env_version') ?? '';
}

export interface SessionState {
  phase: 'loading' | 'running' | 'failed';
  /** Why the launch failed; code is the API's ("no_build", "not_found"…). */
  error?: { code: string; message: string };
  /** The frame reported an error after starting. */
  frameError?: string;
  title: string;
  /** Navigation bar colours the frame reported; white text wants a dark capsule. */
  frontColor: string;
  backgroundColor: string;
  /** The page the frame shows (for share and copy link). */
  path: string;
  name: string;
}

/** A sheet or confirm a call of this session is waiting for (they come one at a time). */
type AskOpener<T> = (signal: AbortSignal) => Promise<T>;

type FrameMessage =
  | { t: 'ready'; warm?: boolean }
  | { t: 'need'; root: string }
  | { t: 'call'; id: number; name: string; args: unknown[] }
  | { t: 'state'; title: string; navigationBarColor?: { frontColor?: string; backgroundColor?: string } }
  | { t: 'launched'; path: string }
  | { t: 'error'; message: string };

const sessions = new Map<string, Session>();

/** The host element under the shell's pages that holds every frame. */
function frameHost(): HTMLElement {
  let host = document.getElementById('mp-frames');
  if (!host) {
    host = document.createElement('div');
    host.id = 'mp-frames';
    document.body.appendChild(host);
  }
  return host;
}

/** The spare container: a frame no session has claimed yet. */
interface Spare {
  wrapper: HTMLDivElement;
  iframe: HTMLIFrameElement;
  /** The frame's URL and the logic runtime its worker was started with. */
  frame: string;
  logic: string;
  /** The frame said ready, and whether it takes {t:"warm"} and Blobs. */
  ready: boolean;
  canWarm: boolean;
  /** The logic runtime URL posted to it with {t:"warm"}, once posted. */
  warmedWith: string;
}
let spare: Spare | null = null;
let spareScheduled = false;
/** Someone is signed in: the shell keeps a spare (startSpareContainers). */
let spareWanted = false;

/** A hidden frame under the frame host, not yet any app's. */
function newFrame(src: string): { wrapper: HTMLDivElement; iframe: HTMLIFrameElement } {
  const wrapper = document.createElement('div');
  wrapper.className = 'mp-frame';
  wrapper.hidden = true;
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.src = src;
  wrapper.appendChild(iframe);
  frameHost().appendChild(wrapper);
  return { wrapper, iframe };
}

/**
 * Prepares the spare container when the shell is next idle, unless there is
 * one. Called at boot and after each launch, so a launch seldom finds none.
 */
export function prewarmContainer(): void {
  if (!spareWanted || spare || spareScheduled) return;
  spareScheduled = true;
  const idle = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 3000 }) : setTimeout(f, 200));
  idle(async () => {
    // Not while a launch is under way: a new frame's process would take
    // the CPU it needs. The launch replenishes the spare when it is done.
    if ([...sessions.values()].some((s) => !s.settled)) {
      spareScheduled = false;
      setTimeout(prewarmContainer, 1000);
      return;
    }
    if (!spareWanted) {
      spareScheduled = false;
      return;
    }
    storage.open().catch(() => undefined);
    try {
      const info = await runtimeInfo();
      if (spare || !spareWanted) return;
      const { wrapper, iframe } = newFrame(info.frame);
      spare = { wrapper, iframe, frame: info.frame, logic: info.logic, ready: false, canWarm: false, warmedWith: '' };
      fetchText(info.logic).catch(() => undefined);
    } catch {
      // No runtime on this server yet: launches create their frame.
    } finally {
      spareScheduled = false;
    }
  });
}

/** The spare's own messages: only its ready, before any app owns it. */
async function handleSpare(s: Spare, m: FrameMessage): Promise<void> {
  if (m.t !== 'ready' || s.ready) return;
  s.ready = true;
  s.canWarm = m.warm === true;
  if (!s.canWarm) return;
  const runtime = await fetchText(s.logic).catch(() => null);
  if (runtime === null || spare !== s) return; // claimed meanwhile: its session warms it
  s.iframe.contentWindow?.postMessage({ t: 'warm', runtime }, '*');
  s.warmedWith = s.logic;
}

/** Takes the spare for a launch: from now on it is that session's. */
function claimSpare(): Spare | null {
  const s = spare;
  spare = null;
  return s;
}

function dropSpare(): void {
  spare?.wrapper.remove();
  spare = null;
}

// After boot, once the shell has been up a moment and is idle: nobody taps
// a mini program in the first instants, and the shell's own start comes first.
const SPARE_AFTER_BOOT_MS = 2000;

/**
 * Someone signed in: keep a spare container from now on (the first a moment
 * after the page has loaded). Signed out, nobody can launch anything, so
 * there is none (destroyAllSessions drops it).
 */
export function startSpareContainers(): void {
  if (spareWanted) return;
  spareWanted = true;
  if (document.readyState === 'complete') setTimeout(prewarmContainer, SPARE_AFTER_BOOT_MS);
  else addEventListener('load', () => setTimeout(prewarmContainer, SPARE_AFTER_BOOT_MS), { once: true });
}

// One listener for every frame: a message counts only if it comes from a
// frame this shell created, and then it speaks for that frame's app only;
// the spare, which has no app, is heard only saying it is ready.
addEventListener('message', (e: MessageEvent) => {
  if (!e.source) return;
  if (spare && e.source === spare.iframe.contentWindow) {
    const m = e.data;
    if (m && typeof m === 'object' && typeof m.t === 'string') handleSpare(spare, m as FrameMessage);
    return;
  }
  for (const s of sessions.values()) {
    if (s.iframe && e.source === s.iframe.contentWindow) {
      const m = e.data;
      if (m && typeof m === 'object' && typeof m.t === 'string') s.handle(m as FrameMessage);
      return;
    }
  }
});

/** The running session of (user, appid), if any. */
export function existingSession(user: User, appid: string): Session | undefined {
  const s = sessions.get(appid);
  if (s && s.user.id !== user.id) {
    s.destroy(); // another user signed in on this page
    return undefined;
  }
  return s;
}

/** A new session, cold-started. */
export function startSession(user: User, appid: string, params: LaunchParams): Session {
  existingSession(user, appid)?.destroy();
  const s = new Session(user, appid, params);
  sessions.set(appid, s);
  s.start();
  return s;
}

/** Ends every session (sign-out), and the spare with them. */
export function destroyAllSessions(): void {
  for (const s of [...sessions.values()]) s.destroy();
  spareWanted = false;
  dropSpare();
}

/** Splits "pages/a/b?x=1" into its path and query. */
export function splitPath(p: string): { path: string; query: Record<string, string> } {
  const [path, q = ''] = p.replace(/^\/+/, '').split('?', 2);
  return { path, query: Object.fromEntries(new URLSearchParams(q)) };
}

export class Session {
  iframe: HTMLIFrameElement | null = null;
  state: SessionState;
  launch: Launch | null = null;
  visible = false;
  /** The container's UI while it shows this session (sheets, navigation). */
  ui: BridgeUI | null = null;
  private wrapper: HTMLDivElement | null = null;
  private ready = false;
  /** The frame takes {t:"warm"} and Blobs (its ready said so). */
  private canWarm = false;
  /** The logic runtime (URL) the frame's worker was started with, if any. */
  private warmedWith = '';
  private frameSrc = '';
  /** The logic runtime's URL, once known, to warm a new frame with. */
  private runtimeURL = '';
  private loadPosted = false;
  private loaded = false;
  /** The app's storage, read when the launch starts (bound to this user and app). */
  private storageSnapshot: Promise<Array<[string, unknown]>> | null = null;
  /** navigateBackMiniProgram's extraData from the app this one opened, for the next show from it (scene 1038). */
  returnedData: { from: string; extraData: unknown } | null = null;
  /** The sheet or confirm showing for this session, and those queued behind it; all end when it hides. */
  private askQueue: Promise<unknown> = Promise.resolve();
  private asks = new AbortController();
  private loadMessage: Promise<Record<string, unknown>> | null = null;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<() => void>();
  private dead = false;

  constructor(
    readonly user: User,
    readonly appid: string,
    readonly params: LaunchParams,
  ) {
    this.state = { phase: 'loading', title: '', frontColor: '#000000', backgroundColor: '#ffffff', path: params.path, name: '' };
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(change: Partial<SessionState>) {
    this.state = { ...this.state, ...change };
    this.listeners.forEach((l) => l());
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The launch is over: the app runs (or failed, or the session ended). */
  get settled(): boolean {
    return this.dead || this.loaded || this.state.phase === 'failed';
  }

  async start(): Promise<void> {
    // The container first — the spare, or a new frame — so that it comes up
    // while the launch API and the package files are on their way.
    this.storageSnapshot = storage.snapshot(this.user.id, this.appid).catch(() => []);
    const s = claimSpare();
    if (s) {
      this.adopt(s.wrapper, s.iframe, s.frame, s.ready, s.canWarm, s.warmedWith);
      if (s.ready && s.canWarm && !s.warmedWith) this.warm(s.logic);
    } else {
      this.createFrame(FRAME_URL);
      runtimeInfo().then((info) => (this.runtimeURL = info.logic), () => undefined);
    }
    let launch: Launch;
    try {
      launch = await mpApi.launch(this.appid, this.params.envVersion ?? urlEnvVersion(this.appid));
    } catch (e) {
      const err = e as { code?: string; message?: string };
      this.set({ phase: 'failed', error: { code: err.code ?? 'unknown', message: err.message ?? String(e) } });
      this.dropFrame();
      setTimeout(prewarmContainer, 1000);
      return;
    }
    if (this.dead) return;
    this.launch = launch;
    if (!this.params.path) this.params.path = entryPage(launch.manifest);
    this.set({ name: launch.app.name, title: launch.app.name, path: this.params.path });
    // A frame of another runtime version (the server was updated since it
    // was prepared) cannot take this app: start over with the right one.
    if (this.iframe && (this.frameSrc !== launch.frame || (this.warmedWith && this.warmedWith !== launch.runtime.logic))) this.dropFrame();
    this.runtimeURL = launch.runtime.logic;
    if (!this.iframe) this.createFrame(launch.frame);
    this.iframe!.setAttribute('title', launch.app.name);
    this.loadMessage = this.prepareLoad(launch);
    this.loadMessage.catch((e) => this.set({ phase: 'failed', error: { code: 'load', message: String(e instanceof Error ? e.message : e) } }));
    this.postLoad();
    // Replenish the spare once this launch is off the critical path.
    setTimeout(prewarmContainer, 1000);
  }

  /** Makes a frame this session's: from here on it speaks for this app only. */
  private adopt(wrapper: HTMLDivElement, iframe: HTMLIFrameElement, src: string, ready: boolean, canWarm: boolean, warmedWith: string): void {
    this.wrapper = wrapper;
    this.iframe = iframe;
    this.frameSrc = src;
    this.ready = ready;
    this.canWarm = canWarm;
    this.warmedWith = warmedWith;
    wrapper.dataset.appid = this.appid;
    wrapper.hidden = !this.visible;
    iframe.setAttribute('data-testid', 'mp-frame');
  }

  /** Starts the frame's worker on the runtime while the app is on its way. */
  private async warm(logic: string): Promise<void> {
    if (!this.ready || !this.canWarm || this.warmedWith || this.loadMessage) return;
    const runtime = await fetchText(logic).catch(() => null);
    if (runtime === null || this.dead || this.warmedWith || this.loadMessage) return;
    this.post({ t: 'warm', runtime });
    this.warmedWith = logic;
  }

  private createFrame(src: string): void {
    const { wrapper, iframe } = newFrame(src);
    this.adopt(wrapper, iframe, src, false, false, '');
  }

  private dropFrame(): void {
    this.wrapper?.remove();
    this.wrapper = null;
    this.iframe = null;
    this.ready = false;
  }

  /** Posts the load message once both the frame and the message are ready. */
  private async postLoad(): Promise<void> {
    if (!this.ready || !this.loadMessage || this.loadPosted) return;
    this.loadPosted = true;
    const load = await this.loadMessage.catch(() => null);
    if (!load || this.dead) return;
    this.post(load);
    this.loaded = true;
    // Left before the frame was ready: it starts in the background.
    if (!this.visible) this.post({ t: 'hide' });
    this.set({ phase: 'running' });
  }

  /** The load message: the runtime, the packages to start with, storage. */
  private async prepareLoad(launch: Launch): Promise<Record<string, unknown>> {
    const m = launch.manifest;
    const roots = new Set(['']);
    const page = m.pages[this.params.path];
    const pkg = m.packages.find((p) => p.root === page?.package);
    if (pkg?.independent) roots.add(pkg.root);
    if (this.warmedWith && this.ready) {
      // The worker runs already: it can compile the package's code (which
      // only registers modules and templates) while the rest comes.
      Promise.all([...roots].map((r) => packageTexts(launch, r, true))).then(
        (t) => !this.dead && !this.loadPosted && this.post({ t: 'code', scripts: t.map((x) => x.service) }),
        () => undefined,
      );
    }
    const [runtime, storageSnapshot, ...texts] = await Promise.all([
      this.warmedWith ? undefined : fetchText(launch.runtime.logic),
      this.storageSnapshot ?? storage.snapshot(this.user.id, this.appid).catch(() => []),
      ...[...roots].map((r) => packageTexts(launch, r, this.canWarm)),
    ]);
    const packages: Record<string, unknown> = {};
    [...roots].forEach((r, i) => (packages[r] = texts[i]));
    return {
      t: 'load',
      // A warm frame's worker runs the runtime already.
      ...(this.warmedWith ? {} : { runtime }),
      manifest: m,
      packages,
      env: { statusBarHeight: 0, menuButton: MENU_BUTTON },
      storage: storageSnapshot,
      launch: { path: this.params.path, query: this.params.query, scene: this.params.scene, referrerInfo: this.params.referrerInfo ?? {} },
      assetBase: launch.asset_base,
      version: versionInfo(launch),
    };
  }

  post(msg: unknown): void {
    this.iframe?.contentWindow?.postMessage(msg, '*');
  }

  async handle(m: FrameMessage): Promise<void> {
    if (this.dead) return;
    switch (m.t) {
      case 'ready': {
        if (this.ready) return;
        this.ready = true;
        this.canWarm = m.warm === true;
        if (this.runtimeURL) this.warm(this.runtimeURL);
        this.postLoad();
        return;
      }
      case 'need': {
        if (!this.launch || typeof m.root !== 'string') return;
        try {
          const t = await packageTexts(this.launch, m.root, this.canWarm);
          this.post({ t: 'package', root: m.root, service: t.service, styles: t.styles });
        } catch (e) {
          // The frame fails the navigation that needed it; a later one asks again.
          this.post({ t: 'package', root: m.root, error: String(e instanceof Error ? e.message : e) });
        }
        return;
      }
      case 'call': {
        if (typeof m.id !== 'number' || typeof m.name !== 'string') return;
        const args = Array.isArray(m.args) ? m.args : [];
        try {
          const value = await handleCall(this, m.name, args);
          this.post({ t: 'result', id: m.id, ok: true, value });
        } catch (e) {
          this.post({ t: 'result', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case 'state':
        this.set({
          title: typeof m.title === 'string' ? m.title : this.state.title,
          frontColor: m.navigationBarColor?.frontColor ?? this.state.frontColor,
          backgroundColor: m.navigationBarColor?.backgroundColor ?? this.state.backgroundColor,
        });
        return;
      case 'launched':
        if (typeof m.path === 'string') this.set({ path: m.path });
        return;
      case 'error':
        // The runtime itself failed (the app's own errors stay in its
        // worker): a developer's matter, shown in dev mode only.
        console.warn(`mini program ${this.appid}:`, String(m.message));
        if (this.launch?.dev) this.set({ frameError: String(m.message) });
        return;
    }
  }

  /** The container shows this session: foreground (onShow on a warm start). */
  show(ui: BridgeUI, params?: Partial<LaunchParams>): void {
    clearTimeout(this.hideTimer);
    this.ui = ui;
    const wasHidden = !this.visible;
    this.visible = true;
    if (this.wrapper) this.wrapper.hidden = false;
    let referrerInfo = params?.referrerInfo;
    const back = this.returnedData;
    if (back && params?.scene === 1038 && referrerInfo?.appId === back.from) {
      this.returnedData = null;
      if (back.extraData !== undefined) referrerInfo = { ...referrerInfo, extraData: back.extraData };
    }
    if (wasHidden && this.loaded) {
      this.post({
        t: 'show',
        scene: params?.scene ?? this.params.scene,
        path: params?.path || undefined,
        query: params?.query,
        referrerInfo,
      });
    }
  }

  /**
   * Shows a sheet or confirm for one of this session's calls, after those
   * before it (one at a time). When the session hides or ends, the one
   * showing is closed and every one waiting fails with `<api>:fail cancel`.
   */
  ask<T>(api: string, open: AskOpener<T>): Promise<T> {
    const signal = this.asks.signal;
    const cancelled = () => new Error(`${api}:fail cancel`);
    const run = this.askQueue.then(() => {
      if (signal.aborted || this.dead) throw cancelled();
      return new Promise<T>((resolve, reject) => {
        const abort = () => reject(cancelled());
        signal.addEventListener('abort', abort, { once: true });
        open(signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
      });
    });
    this.askQueue = run.catch(() => undefined);
    return run;
  }

  /** Ends every sheet of this session (showing or waiting). */
  private cancelAsks(): void {
    this.asks.abort();
    this.asks = new AbortController();
    this.askQueue = Promise.resolve();
  }

  /** The user left the container: background, destroyed after KEEP_ALIVE_MS. */
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.ui = null;
    this.cancelAsks();
    if (this.wrapper) this.wrapper.hidden = true;
    if (this.loaded) this.post({ t: 'hide' });
    clearTimeout(this.hideTimer);
    if (this.state.phase === 'failed') this.destroy();
    else this.hideTimer = setTimeout(() => this.destroy(), KEEP_ALIVE_MS);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    this.cancelAsks();
    clearTimeout(this.hideTimer);
    this.wrapper?.remove();
    this.iframe = null;
    if (sessions.get(this.appid) === this) sessions.delete(this.appid);
    this.listeners.forEach((l) => l());
  }
}

/**
 * Where the capsule sits, for wx.getMenuButtonBoundingClientRect: WeChat's
 * 87×32 capsule, 7 px from the right edge, 4 px below the status bar.
 */
const MENU_BUTTON = { width: 87, height: 32, top: 4, right: 7 };

/** Where the frame is served (what launch answers give as `frame`). */
const FRAME_URL = '/mp/frame';

/**
 * What the app learns of the version it runs: wx.getAccountInfoSync's
 * envVersion (the gray and online channels are a release, the dev-mode
 * build a develop version) and version, and wx.getExtConfig's extConfig,
 * the "ext" of the ext.json committed with the version.
 */
function versionInfo(launch: Launch): { envVersion: 'develop' | 'trial' | 'release'; version: string; extConfig: Record<string, unknown> } {
  const ch = launch.version?.channel;
  const envVersion = ch === 'trial' ? 'trial' : ch === 'develop' || ch === 'dev-build' ? 'develop' : 'release';
  return { envVersion, version: envVersion === 'release' ? (launch.version?.user_version ?? '') : '', extConfig: extOf(launch.ext_config) };
}

function extOf(extJSON: Record<string, unknown> | undefined): Record<string, unknown> {
  const ext = extJSON?.ext;
  return ext && typeof ext === 'object' && !Array.isArray(ext) ? (ext as Record<string, unknown>) : {};
}

function entryPage(m: Manifest): string {
  return (m.app.entryPagePath as string | undefined)?.replace(/^\/+/, '') || m.app.pages?.[0] || '';
}

/**
 * A package's service.js and styles.json, by their hashes. A warm frame
 * takes service.js as a Blob and styles.json as its text, which cross to it
 * without being copied or cloned as an object graph.
 */
async function packageTexts(launch: Launch, root: string, asBlob = false): Promise<{ service: Code; styles: string | Record<string, unknown> }> {
  const pkg = launch.manifest.packages.find((p) => p.root === root);
  if (!pkg) throw new Error(`the build has no package ${JSON.stringify(root)}`);
  const url = (name: string) => {
    const h = pkg.files[name];
    if (!h) throw new Error(`package ${JSON.stringify(root)} has no ${name}`);
    return launch.asset_base + h + '?n=' + encodeURIComponent(name);
  };
  const dataNames = pkg.data ?? [];
  const [script, styles, ...data] = await Promise.all([
    asBlob ? fetchBlob(url('service.js')) : fetchText(url('service.js')),
    pkg.files['styles.json'] ? fetchText(url('styles.json')) : Promise.resolve('{}'),
    ...dataNames.map((name) => (asBlob ? fetchBlob(url(name)) : fetchText(url(name)))),
  ]);
  // Data files go beside the script as strings (see Code).
  const service: Code = dataNames.length ? { script, data: Object.fromEntries(dataNames.map((n, i) => [n, data[i]])) } : script;
  return { service, styles: asBlob ? styles : JSON.parse(styles) };
}
