// The logic layer's entry: runs first in the worker, before the package's
// service.js, and installs the globals mini program code and the compiled
// templates use (define, __R, App, Page, Component, Behavior, getApp,
// getCurrentPages, wx).

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
setScriptImporter((text) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  try {
    self.importScripts!(url);
  } finally {
    URL.revokeObjectURL(url);
  }
});

self.addEventListener('message', (e: { data: any }) => handleMessage(e.data));
self.addEventListener('error', (e: { message?: string; error?: unknown }) => reportError('uncaught', e.error ?? e.message));
self.addEventListener('unhandledrejection', (e: { reason: unknown }) => {
  const app = state.app;
  const res = { reason: e.reason, promise: undefined };
  if (app && typeof app.onUnhandledRejection === 'function') (app.onUnhandledRejection as Function).call(app, res);
  for (const l of state.rejectionListeners) l(res);
});
