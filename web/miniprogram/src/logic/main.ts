// The logic layer's entry: runs first in the worker, before the package's
// service.js, and installs the globals mini program code and the compiled
// templates use (define, __R, App, Page, Component, Behavior, getApp,
// getCurrentPages, wx).

import type { Code, ViewToLogic } from '../protocol';
import { Registry } from '../wxml/runtime';
import { wx } from './api';
import './api/index';
import { setPoster } from './channel';
import { define } from './modules';
import { App, Behavior, Component, getApp, getCurrentPages, handleMessage, Page, reportError, setScriptImporter, state } from './runtime';
import { setRenderer } from './tree';

declare const self: {
  postMessage(msg: unknown): void;
  addEventListener(type: string, f: (e: any) => void): void;
  importScripts?: (...urls: string[]) => void;
} & Record<string, unknown>;

const registry = new Registry();
setRenderer((path, data) => registry.render(path, data) as never);

const g = globalThis as Record<string, unknown>;
g.__R = registry;
g.define = define;
g.App = App;
g.Page = Page;
g.Component = Component;
g.Behavior = Behavior;
g.getApp = getApp;
g.getCurrentPages = getCurrentPages;
g.wx = wx;

setPoster((msg) => self.postMessage(msg));
/** The packages' data files by name (Code's {script, data}); a Blob is read when first asked for. */
const dataFiles = new Map<string, string | Blob>();
declare const FileReaderSync: { new (): { readAsText(b: Blob): string } };
g.__data = (name: string): string => {
  let file = dataFiles.get(name);
  if (file === undefined) throw new Error(`data file "${name}" is not loaded (its package is not)`);
  if (typeof file !== 'string') dataFiles.set(name, (file = new FileReaderSync().readAsText(file)));
  return file;
};

/** Evaluates a script given as text or as a Blob (a Blob part is not copied), after its data files. */
function importScript(code: Code): void {
  if (typeof code === 'object' && !(code instanceof Blob)) {
    for (const [name, text] of Object.entries(code.data)) dataFiles.set(name, text);
    code = code.script;
  }
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  try {
    self.importScripts!(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}
setScriptImporter(importScript);

self.addEventListener('message', (e: { data: ViewToLogic }) => {
  // {t:"code", scripts}: the package's service.js (text or Blob), sent by
  // the frame before "boot"; a worker started ahead of its app gets its
  // code this way. importScripts is synchronous, so boot finds it defined.
  if (e.data && e.data.t === 'code') {
    if (Array.isArray(e.data.scripts)) for (const script of e.data.scripts) importScript(script);
    return;
  }
  handleMessage(e.data);
});
// An uncaught error of the app's code is the app's (App.onError, wx.onError,
// the console), as in WeChat: handled here, it does not reach the frame
// and the shell, which have nothing to show the user about it.
self.addEventListener('error', (e: { message?: string; error?: unknown; preventDefault?: () => void }) => {
  e.preventDefault?.();
  reportError('uncaught', e.error ?? e.message);
});
self.addEventListener('unhandledrejection', (e: { reason: unknown }) => {
  const app = state.app;
  const res = { reason: e.reason, promise: undefined };
  if (app && typeof app.onUnhandledRejection === 'function') (app.onUnhandledRejection as Function).call(app, res);
  for (const l of state.rejectionListeners) l(res);
});
