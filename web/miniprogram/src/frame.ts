// The frame's entry (dist/view.js, loaded by dist/frame.html inside the
// shell's sandboxed iframe): speaks the shell ↔ frame protocol with the
// parent, builds the logic worker from a Blob of the runtime and the main
// package's service.js, and runs the view layer.

import type { Code, FrameToShell, LogicToView, PackageParsed, PackageTexts, ShellLoad, ShellToFrame, ViewToLogic } from './protocol';
import { componentStyles } from './view/components/index';
import { View } from './view/view';

let worker: Worker | null = null;
let view: View | null = null;
const packages = new Map<string, PackageParsed>();
/** Those waiting for a subpackage the shell was asked for ({t:"need"}). */
const waitingPackages = new Map<string, Array<{ resolve: (code: Code) => void; reject: (e: Error) => void }>>();
/** Calls relayed to the shell, by the id the frame gave them. */
let relayId = 0;
const relayMap = new Map<number, (r: { ok: boolean; value?: unknown; error?: string }) => void>();

function toShell(msg: FrameToShell): void {
  window.parent.postMessage(msg, '*');
}

function toLogic(msg: ViewToLogic): void {
  worker?.postMessage(msg);
}

/** The logic worker, started from a Blob of the logic runtime alone. */
function startWorker(runtime: string): void {
  if (worker) return;
  worker = new Worker(URL.createObjectURL(new Blob([runtime], { type: 'text/javascript' })));
  worker.onmessage = (e: MessageEvent<LogicToView>) => view!.handle(e.data);
  // Uncaught errors of the app's code are handled in the worker (App.onError,
  // wx.onError, console); what still arrives here broke the runtime itself.
  worker.onerror = (e) => toShell({ t: 'error', message: e.message || 'logic layer error' });
}

let started = false;
/** The shell sent the package's code ahead of 'load' ({t:"code"}), and it went to the worker. */
let codeSent = false;

/** styles.json as the shell sent it: parsed, or (to a warm frame) its text, which is cheaper to post than an object graph. */
function parsed(t: PackageTexts): PackageParsed {
  return { service: t.service, styles: typeof t.styles === 'string' ? JSON.parse(t.styles) : t.styles };
}

function start(load: ShellLoad): void {
  if (started) return;
  started = true;
  for (const [root, texts] of Object.entries(load.packages)) packages.set(root, parsed(texts));
  const main = packages.get('');
  if (!main) {
    toShell({ t: 'error', message: 'load: the main package is missing' });
    return;
  }
  if (!worker && typeof load.runtime !== 'string') {
    toShell({ t: 'error', message: 'load: the logic runtime is missing' });
    return;
  }
  ensureView();
  if (typeof load.runtime === 'string') startWorker(load.runtime);
  const independent = [...packages.keys()].filter((r) => r !== '');
  const code: Code[] = [main.service, ...independent.map((r) => packages.get(r)!.service)];
  // The worker evaluates the package's code while this thread builds the
  // stylesheets (view.start): its first ops are handled after that.
  if (!codeSent) toLogic({ t: 'code', scripts: code });
  toLogic({ t: 'boot', manifest: load.manifest, env: view!.env(load.env || {}), storage: load.storage || [], launch: load.launch, version: load.version });
  const styles: PackageParsed['styles'] = {};
  for (const [, t] of packages) Object.assign(styles, t.styles);
  view!.start(load.manifest, styles, load.assetBase || '/mp/pkg/');
}

/** A subpackage's code: at once when here, else asked of the shell (once per root at a time). */
function loadPackage(root: string): Promise<Code> {
  const have = packages.get(root);
  if (have) {
    view!.addStyles(have.styles);
    return Promise.resolve(have.service);
  }
  return new Promise((resolve, reject) => {
    const list = waitingPackages.get(root);
    if (list) list.push({ resolve, reject });
    else {
      waitingPackages.set(root, [{ resolve, reject }]);
      toShell({ t: 'need', root });
    }
  });
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
      loadPackage,
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
  switch (msg.t) {
    case 'warm':
      // A spare container: the shell pre-starts the logic runtime (no app
      // code) so that a launch only has to hand the app over.
      if (typeof msg.runtime === 'string' && !started) {
        ensureView();
        startWorker(msg.runtime);
      }
      break;
    case 'code':
      // The claimed app's code, ahead of 'load', for a worker that runs.
      if (worker && !started && !codeSent && Array.isArray(msg.scripts)) {
        toLogic({ t: 'code', scripts: msg.scripts });
        codeSent = true;
      }
      break;
    case 'load':
      start(msg);
      break;
    case 'package': {
      const list = waitingPackages.get(msg.root) || [];
      waitingPackages.delete(msg.root);
      if (msg.error !== undefined) {
        // Nothing is kept: the next navigation into it asks again.
        const err = new Error(String(msg.error));
        for (const w of list) w.reject(err);
        break;
      }
      const texts = parsed({ service: msg.service, styles: msg.styles });
      packages.set(msg.root, texts);
      view?.addStyles(texts.styles);
      for (const w of list) w.resolve(texts.service);
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

toShell({ t: 'ready', warm: true });
