// What the API families share: events pushed to the logic layer by the
// view or the shell, option handling, and tasks.
//
// Events: the shell posts {t:"event", name, data} to the frame; the frame
// (src/view/api) forwards it to the worker as {t:"apiEvent", name, data},
// the same message the view's own API code (intersection observers) posts.
// ("event" is taken on the worker side: DOM events.) The worker's core
// ignores "apiEvent"; this module listens for it next to the core.

import { ApiError, errMsgOf, typeName, withCallbacks } from '../api';
import { flush } from '../tree';

export { typeName };

type EventHandler = (data: any) => void;
const eventHandlers = new Map<string, EventHandler>();

/** Routes {t:"apiEvent", name} messages to handler. */
export function onApiEvent(name: string, handler: EventHandler): void {
  eventHandlers.set(name, handler);
}

/** Delivers one apiEvent (the worker's message listener calls this). */
export function deliverApiEvent(msg: { name?: unknown; data?: unknown }): void {
  const h = typeof msg.name === 'string' ? eventHandlers.get(msg.name) : undefined;
  if (!h) return;
  try {
    h(msg.data);
  } catch (e) {
    console.error(`apiEvent ${String(msg.name)}:`, e);
  }
  flush();
}

const scope = globalThis as unknown as { addEventListener?: (t: string, f: (e: { data: any }) => void) => void };
if (typeof scope.addEventListener === 'function') {
  scope.addEventListener('message', (e) => {
    const m = e.data;
    if (m && typeof m === 'object' && m.t === 'apiEvent') deliverApiEvent(m);
  });
}

export type Opts = Record<string, unknown>;

/** The options without callbacks: what may cross postMessage. */
export function plain(o: Opts, ...drop: string[]): Opts {
  const out: Opts = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'function' || drop.includes(k)) continue;
    out[k] = v;
  }
  return out;
}


export function need(o: Opts, key: string, type: 'String' | 'Number' | 'Array' | 'Object' | 'Boolean'): void {
  const v = o[key];
  const ok = type === 'Array' ? Array.isArray(v) : type === 'Object' ? !!v && typeof v === 'object' && !Array.isArray(v) : typeName(v) === type;
  if (!ok) throw new ApiError(`parameter error: parameter.${key} should be ${type} instead of ${typeName(v)};`);
}


/** A listener list with on/off as WeChat's tasks and wx.on* have them. */
export class Listeners<T = unknown> {
  private list: Array<(v: T) => void> = [];
  on = (f: (v: T) => void): void => {
    if (typeof f === 'function' && !this.list.includes(f)) this.list.push(f);
  };
  off = (f?: (v: T) => void): void => {
    if (!f) this.list = [];
    else this.list = this.list.filter((x) => x !== f);
  };
  emit(v: T): void {
    for (const f of [...this.list]) {
      try {
        f(v);
      } catch (e) {
        console.error(e);
      }
    }
  }
  get size(): number {
    return this.list.length;
  }
}

/**
 * Runs an async API the way asyncApi does, but returns a task object
 * synchronously (request, uploadFile, downloadFile, connectSocket): the
 * callbacks get the result; the Promise form is the task's then().
 */
export function taskCall<T extends object>(
  name: string,
  o: Opts,
  task: T,
  run: () => Promise<Record<string, unknown>>,
): T & { then?: unknown } {
  const p = Promise.resolve()
    .then(run)
    .then(
      (r) => ({ errMsg: `${name}:ok`, ...r }),
      (e) => {
        throw { errMsg: errMsgOf(name, e), ...(e instanceof ApiError ? e.extra : {}) };
      },
    );
  if (!withCallbacks(p, o)) {
    // WeChat's promise form: the task is also a thenable of the result.
    for (const m of ['then', 'catch', 'finally'] as const) {
      Object.defineProperty(task, m, { value: (p[m] as Function).bind(p), enumerable: false, configurable: true });
    }
  }
  return task;
}
