// The frame's entry (dist/view.js, loaded by dist/frame.html inside the
// shell's sandboxed iframe): speaks the shell ↔ frame protocol with the
// parent, builds the logic worker from a Blob of the runtime and the main
// package's service.js, and runs the view layer.

import type { FrameToShell, LogicToView, PackageTexts, ShellLoad, ShellToFrame, ViewToLogic } from './protocol';
import { componentStyles } from './view/components/index';
import { View } from './view/view';

let worker: Worker | null = null;
let view: View | null = null;
const packages = new Map<string, PackageTexts>();
const waitingPackages = new Map<string, Array<(text: string) => void>>();
/** Calls relayed to the shell, by the id the frame gave them. */
let relayId = 0;
const relayMap = new Map<number, (r: { ok: boolean; value?: unknown; error?: string }) => void>();

function toShell(msg: FrameToShell): void {
  window.parent.postMessage(msg, '*');
}

function toLogic(msg: ViewToLogic): void {
  worker?.postMessage(msg);
}

/**
 * A package's service.js as the shell sent it: text, or (from a shell that
 * saw this frame's `ready` say `warm: true`) a Blob, which crosses processes
 * by reference and which the worker turns into a blob: URL without a copy.
 */
type Code = string | Blob;

/** The logic worker, started from a Blob of the logic runtime alone. */
function startWorker(runtime: string): void {
  if (worker) return;
  worker = new Worker(URL.createObjectURL(new Blob([runtime], { type: 'text/javascript' })));
  worker.onmessage = (e: MessageEvent<LogicToView>) => view!.handle(e.data);
  worker.onerror = (e) => toShell({ t: 'error', message: e.message || 'logic layer error' });
}

let started = false;
/** The shell sent the package's code ahead of 'load' ({t:"code"}), and it went to the worker. */
let codeSent = false;

/** styles.json as the shell sent it: parsed, or (to a warm frame) its text, which is cheaper to post than an object graph. */
function parsed(t: PackageTexts): PackageTexts {
  const styles = t.styles as unknown;
  return typeof styles === 'string' ? { service: t.service, styles: JSON.parse(styles) } : t;
}

function start(load: ShellLoad): void {
  if (started) return;
  started = true;
  for (const [root, texts] of Object.entries(load.packages)) packages.set(root, (load.packages[root] = parsed(texts)));
  const main = load.packages[''];
  if (!main) {
    toShell({ t: 'error', message: 'load: the main package is missing' });
    return;
  }
  if (!worker && typeof load.runtime !== 'string') {
    toShell({ t: 'error', message: 'load: the logic runtime is missing' });
    return;
  }
  ensureView();
  startWorker(load.runtime);
  const independent = Object.keys(load.packages).filter((r) => r !== '');
  const code: Code[] = [main.service, ...independent.map((r) => load.packages[r].service)];
  // The worker evaluates the package's code while this thread builds the
  // stylesheets (view.start): its first ops are handled after that.
  if (!codeSent) worker!.postMessage({ t: 'code', scripts: code });
  toLogic({ t: 'boot', manifest: load.manifest, env: view!.env(load.env || {}), storage: load.storage || {}, launch: load.launch });
  const styles: Record<string, never> = {};
  for (const [, t] of packages) Object.assign(styles, t.styles);
  view!.start(load.manifest, styles, load.assetBase || '/mp/pkg/');
}

/** The view layer's chrome; app-free, so a pre-warmed frame builds it early. */
function ensureView(): void {
  if (view) return;
  view = new View(
    {
      toLogic,
      relay: (name, args) =>
        new Promise((resolve, reject) => {
          const id = ++relayId;
          relayMap.set(id, (r) => (r.ok ? resolve(r.value) : reject(new Error(r.error || `${name} failed`))));
          toShell({ t: 'call', id, name, args });
        }),
      loadPackage: (root) => {
        const have = packages.get(root);
        if (have) {
          view!.addStyles(have.styles);
          return Promise.resolve(have.service);
        }
        return new Promise((resolve) => {
          const list = waitingPackages.get(root);
          if (list) list.push(resolve);
          else {
            waitingPackages.set(root, [resolve]);
            toShell({ t: 'need', root });
          }
        });
      },
      state: (title, front, back) => toShell({ t: 'state', title, navigationBarColor: { frontColor: front, backgroundColor: back } }),
      launched: (path) => toShell({ t: 'launched', path }),
    },
    componentStyles,
  );
}

window.addEventListener('message', (e: MessageEvent<ShellToFrame>) => {
  if (e.source !== window.parent) return;
  const msg = e.data;
  if (!msg || typeof msg !== 'object') return;
  switch ((msg as { t: string }).t) {
    case 'warm': {
      // A spare container: the shell pre-starts the logic runtime (no app
      // code) so that a launch only has to hand the app over.
      const runtime = (msg as unknown as { runtime?: unknown }).runtime;
      if (typeof runtime === 'string' && !started) {
        ensureView();
        startWorker(runtime);
      }
      break;
    }
    case 'code': {
      // The claimed app's code, ahead of 'load', for a worker that runs.
      const scripts = (msg as unknown as { scripts?: unknown }).scripts;
      if (worker && !started && !codeSent && Array.isArray(scripts)) {
        worker.postMessage({ t: 'code', scripts });
        codeSent = true;
      }
      break;
    }
  }
  switch (msg.t) {
    case 'load':
      start(msg);
      break;
    case 'package': {
      const texts = parsed({ service: msg.service, styles: msg.styles });
      packages.set(msg.root, texts);
      view?.addStyles(texts.styles);
      const list = waitingPackages.get(msg.root) || [];
      waitingPackages.delete(msg.root);
      for (const resolve of list) resolve(msg.service);
      break;
    }
    case 'show':
      toLogic({ t: 'appShow', scene: msg.scene, path: msg.path, query: msg.query, referrerInfo: msg.referrerInfo });
      break;
    case 'hide':
      toLogic({ t: 'appHide' });
      break;
    case 'result': {
      const cb = relayMap.get(msg.id);
      if (!cb) break;
      relayMap.delete(msg.id);
      cb(msg);
      break;
    }
  }
});

// warm: this frame takes {t:"warm"} and a package's service.js as a Blob.
toShell({ t: 'ready', warm: true } as FrameToShell);
