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

function start(load: ShellLoad): void {
  if (worker) return;
  for (const [root, texts] of Object.entries(load.packages)) packages.set(root, texts);
  const main = load.packages[''];
  if (!main) {
    toShell({ t: 'error', message: 'load: the main package is missing' });
    return;
  }
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
  const styles: Record<string, never> = {};
  for (const [, t] of packages) Object.assign(styles, t.styles);
  view.start(load.manifest, styles, load.assetBase || '/mp/pkg/');
  const independent = Object.keys(load.packages).filter((r) => r !== '');
  const text = [load.runtime, main.service, ...independent.map((r) => load.packages[r].service)].join('\n;\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  worker = new Worker(url);
  worker.onmessage = (e: MessageEvent<LogicToView>) => view!.handle(e.data);
  worker.onerror = (e) => toShell({ t: 'error', message: e.message || 'logic layer error' });
  toLogic({ t: 'boot', manifest: load.manifest, env: view.env(load.env || {}), storage: load.storage || {}, launch: load.launch });
}

window.addEventListener('message', (e: MessageEvent<ShellToFrame>) => {
  if (e.source !== window.parent) return;
  const msg = e.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.t) {
    case 'load':
      start(msg);
      break;
    case 'package': {
      packages.set(msg.root, { service: msg.service, styles: msg.styles });
      view?.addStyles(msg.styles);
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

toShell({ t: 'ready' });
