// One running mini program: its sandboxed frame, the shell side of the
// shell ↔ frame protocol (docs/miniprogram.md) and its life: a cold start
// loads it, leaving the container hides it (onHide) and keeps the frame for
// KEEP_ALIVE_MS, coming back shows it again (onShow) with its state, and
// after that time the frame is destroyed so the next open starts cold.
import type { User } from '../api';
import { fetchText, mpApi, type Launch, type Manifest } from './api';
import { handleCall, type BridgeUI } from './bridge';
import * as storage from './storage';

/** How long a mini program survives in the background. */
export const KEEP_ALIVE_MS = 5 * 60 * 1000;

export interface LaunchParams {
  path: string;
  query: Record<string, string>;
  scene: number;
  referrerInfo?: { appId: string; extraData?: unknown };
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

type FrameMessage =
  | { t: 'ready' }
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

// One listener for every frame: a message counts only if it comes from a
// frame this shell created, and then it speaks for that frame's app only.
addEventListener('message', (e: MessageEvent) => {
  if (!e.source) return;
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

/** Ends every session (sign-out). */
export function destroyAllSessions(): void {
  for (const s of [...sessions.values()]) s.destroy();
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
  private loaded = false;
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

  async start(): Promise<void> {
    let launch: Launch;
    try {
      launch = await mpApi.launch(this.appid);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      this.set({ phase: 'failed', error: { code: err.code ?? 'unknown', message: err.message ?? String(e) } });
      return;
    }
    if (this.dead) return;
    this.launch = launch;
    if (!this.params.path) this.params.path = entryPage(launch.manifest);
    this.set({ name: launch.app.name, title: launch.app.name, path: this.params.path });
    this.loadMessage = this.prepareLoad(launch);
    this.loadMessage.catch((e) => this.set({ phase: 'failed', error: { code: 'load', message: String(e instanceof Error ? e.message : e) } }));

    this.wrapper = document.createElement('div');
    this.wrapper.className = 'mp-frame';
    this.wrapper.dataset.appid = this.appid;
    this.wrapper.hidden = !this.visible;
    const f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    f.setAttribute('title', launch.app.name);
    f.setAttribute('data-testid', 'mp-frame');
    f.src = launch.frame;
    this.iframe = f;
    this.wrapper.appendChild(f);
    frameHost().appendChild(this.wrapper);
  }

  /** The load message: the runtime, the packages to start with, storage. */
  private async prepareLoad(launch: Launch): Promise<Record<string, unknown>> {
    const m = launch.manifest;
    const roots = new Set(['']);
    const page = m.pages[this.params.path];
    const pkg = m.packages.find((p) => p.root === page?.package);
    if (pkg?.independent) roots.add(pkg.root);
    const [runtime, storageSnapshot, ...texts] = await Promise.all([
      fetchText(launch.runtime.logic),
      storage.snapshot(this.user.id, this.appid).catch(() => ({})),
      ...[...roots].map((r) => packageTexts(launch, r)),
    ]);
    const packages: Record<string, unknown> = {};
    [...roots].forEach((r, i) => (packages[r] = texts[i]));
    return {
      t: 'load',
      runtime,
      manifest: m,
      packages,
      env: { statusBarHeight: 0, menuButton: MENU_BUTTON },
      storage: storageSnapshot,
      launch: { path: this.params.path, query: this.params.query, scene: this.params.scene, referrerInfo: this.params.referrerInfo ?? {} },
      assetBase: launch.asset_base,
    };
  }

  post(msg: unknown): void {
    this.iframe?.contentWindow?.postMessage(msg, '*');
  }

  async handle(m: FrameMessage): Promise<void> {
    if (this.dead) return;
    switch (m.t) {
      case 'ready': {
        if (this.ready || !this.loadMessage) return;
        this.ready = true;
        const load = await this.loadMessage.catch(() => null);
        if (!load || this.dead) return;
        this.post(load);
        this.loaded = true;
        // Left before the frame was ready: it starts in the background.
        if (!this.visible) this.post({ t: 'hide' });
        this.set({ phase: 'running' });
        return;
      }
      case 'need': {
        if (!this.launch || typeof m.root !== 'string') return;
        try {
          const t = await packageTexts(this.launch, m.root);
          this.post({ t: 'package', root: m.root, service: t.service, styles: t.styles });
        } catch (e) {
          this.set({ frameError: String(e instanceof Error ? e.message : e) });
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
        this.set({ frameError: String(m.message) });
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
    if (wasHidden && this.loaded) {
      this.post({
        t: 'show',
        scene: params?.scene ?? this.params.scene,
        path: params?.path || undefined,
        query: params?.query,
        referrerInfo: params?.referrerInfo,
      });
    }
  }

  /** The user left the container: background, destroyed after KEEP_ALIVE_MS. */
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.ui = null;
    if (this.wrapper) this.wrapper.hidden = true;
    if (this.loaded) this.post({ t: 'hide' });
    clearTimeout(this.hideTimer);
    if (this.state.phase === 'failed') this.destroy();
    else this.hideTimer = setTimeout(() => this.destroy(), KEEP_ALIVE_MS);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
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

function entryPage(m: Manifest): string {
  return (m.app.entryPagePath as string | undefined)?.replace(/^\/+/, '') || m.app.pages?.[0] || '';
}

/** A package's service.js and styles.json, by their hashes. */
async function packageTexts(launch: Launch, root: string): Promise<{ service: string; styles: Record<string, unknown> }> {
  const pkg = launch.manifest.packages.find((p) => p.root === root);
  if (!pkg) throw new Error(`the build has no package ${JSON.stringify(root)}`);
  const url = (name: string) => {
    const h = pkg.files[name];
    if (!h) throw new Error(`package ${JSON.stringify(root)} has no ${name}`);
    return launch.asset_base + h + '?n=' + encodeURIComponent(name);
  };
  const [service, styles] = await Promise.all([fetchText(url('service.js')), pkg.files['styles.json'] ? fetchText(url('styles.json')) : Promise.resolve('{}')]);
  return { service, styles: JSON.parse(styles) };
}
