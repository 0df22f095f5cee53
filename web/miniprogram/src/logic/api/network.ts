// Network: wx.request, uploadFile, downloadFile, connectSocket (and the
// legacy wx.onSocket*/sendSocketMessage/closeSocket), getNetworkType,
// onNetworkStatusChange. Everything goes to the shell, which proxies it
// through the server (the frame has connect-src 'none').
//
// Shell calls ({t:"call", name, args}; the answer is {t:"result"}):
//   request       [{url, method, header, data, timeout, dataType, responseType}]
//                 data: object | string | ArrayBuffer as the mini program gave it (the shell
//                 turns an object into the query for GET/HEAD, else a JSON or form body);
//                 → {data, statusCode, header, cookies}
//   uploadFile    [{url, filePath, name, header, formData, timeout, fileData?: ArrayBuffer}]
//                 the view adds fileData for a temp path it holds (chooseImage/chooseMedia);
//                 a data: filePath (downloadFile's) carries its own bytes; → {data, statusCode}
//   downloadFile  [{url, header, timeout}] → {tempFilePath (a data: URL), statusCode, header}
//   socket.open   [{id, url, header, protocols, timeout}] → {} once the shell has created its
//                 WebSocket to /shell/api/mp/{appid}/socket?url=…&protocols=…&header=<JSON>
//                 (internal/miniprogram/socketproxy); id is this frame's socket number.
//   socket.send   [{id, data: string | ArrayBuffer}] → {}
//   socket.close  [{id, code, reason}] → {}
// Shell events ({t:"event", name:"socket", data}) for a socket id:
//   {id, type:"open", header, protocol}   (the relay's first "open" text message)
//   {id, type:"message", data: string | ArrayBuffer}
//   {id, type:"error", errMsg}
//   {id, type:"close", code, reason}      (last event of a socket)

import { ApiError, callShell, defineApi, defineAsync, errMsgOf } from '../api';
import { Listeners, need, onApiEvent, plain, taskCall, typeName, type Opts } from './common';
import { tempFileSize } from './media';

const METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PATCH'];

/** A promise that rejects when abort() is called. */
function abortable() {
  let abort: (why: string) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    abort = (why) => reject(new Error(why));
  });
  aborted.catch(() => {});
  return { aborted, abort };
}

/**
 * WeChat runs at most 10 requests, uploads and downloads of a mini program
 * at once and queues the rest in order (base library 1.4.0 and later; before
 * that they failed). A queued task that is aborted leaves the queue.
 */
export const MAX_NETWORK_TASKS = 10;
let networkRunning = 0;
const networkQueue: Array<() => void> = [];

function releaseNetworkSlot(): void {
  const next = networkQueue.shift();
  if (next) next(); // the slot passes on
  else networkRunning--;
}

/** Runs a network task once one of the 10 slots is free (or fails when aborted first). */
async function inNetworkSlot<T>(aborted: Promise<never>, run: () => Promise<T>): Promise<T> {
  if (networkRunning < MAX_NETWORK_TASKS) {
    networkRunning++;
  } else {
    let go: () => void = () => {};
    const turn = new Promise<void>((resolve) => (go = resolve));
    networkQueue.push(go);
    try {
      await Promise.race([turn, aborted]);
    } catch (e) {
      const i = networkQueue.indexOf(go);
      if (i >= 0) networkQueue.splice(i, 1);
      else releaseNetworkSlot(); // granted just as it was aborted
      throw e;
    }
  }
  try {
    return await run();
  } finally {
    releaseNetworkSlot();
  }
}

let nextTask = 1;

/**
 * A proxied call as a task: started with an id, so that abort() also asks
 * the shell to end the server's call (network.abort), not only this one.
 */
function shellTask(api: string, args: Opts, aborted: Promise<never>): Promise<unknown> {
  const task = 't' + nextTask++;
  let settled = false;
  aborted.catch(() => {
    if (!settled) callShell('network.abort', { task }).catch(() => {});
  });
  const call = callShell(api, { ...args, task });
  call.then(
    () => (settled = true),
    () => (settled = true),
  );
  return Promise.race([call, aborted]);
}

function headerTask() {
  const headers = new Listeners<Record<string, unknown>>();
  return {
    headers,
    methods: { onHeadersReceived: headers.on, offHeadersReceived: headers.off },
  };
}

defineApi('request', (o: Opts = {}) => {
  o = o || {};
  const { aborted, abort } = abortable();
  const h = headerTask();
  const noop = () => {};
  const task = { abort: () => abort('abort'), ...h.methods, onChunkReceived: noop, offChunkReceived: noop };
  return taskCall('request', o, task, async () => {
    need(o, 'url', 'String');
    const method = String(o.method ?? 'GET').toUpperCase();
    if (!METHODS.includes(method)) throw new ApiError(`parameter error: parameter.method should be one of ${METHODS.join(', ')};`);
    const args = plain(o, 'enableHttp2', 'enableQuic', 'enableCache', 'enableChunked', 'forceCellularNetwork', 'enableHttpDNS', 'httpDNSServiceId');
    args.method = method;
    args.dataType = o.dataType ?? 'json';
    args.responseType = o.responseType ?? 'text';
    const r = (await inNetworkSlot(aborted, () => shellTask('request', args, aborted))) as Opts;
    const res = { data: r.data, statusCode: r.statusCode, header: r.header || {}, cookies: r.cookies || [] };
    h.headers.emit({ header: res.header, statusCode: res.statusCode, cookies: res.cookies });
    return res;
  });
});

defineApi('uploadFile', (o: Opts = {}) => {
  o = o || {};
  const { aborted, abort } = abortable();
  const h = headerTask();
  const progress = new Listeners<Record<string, number>>();
  const task = { abort: () => abort('abort'), ...h.methods, onProgressUpdate: progress.on, offProgressUpdate: progress.off };
  return taskCall('uploadFile', o, task, async () => {
    need(o, 'url', 'String');
    need(o, 'filePath', 'String');
    need(o, 'name', 'String');
    const r = (await inNetworkSlot(aborted, () => shellTask('uploadFile', plain(o), aborted))) as Opts;
    // The proxy answers once the whole body is sent: one final progress report.
    const size = tempFileSize(String(o.filePath));
    progress.emit({ progress: 100, totalBytesSent: size, totalBytesExpectedToSend: size });
    return { data: r.data, statusCode: r.statusCode };
  });
});

defineApi('downloadFile', (o: Opts = {}) => {
  o = o || {};
  const { aborted, abort } = abortable();
  const h = headerTask();
  const progress = new Listeners<Record<string, number>>();
  const task = { abort: () => abort('abort'), ...h.methods, onProgressUpdate: progress.on, offProgressUpdate: progress.off };
  return taskCall('downloadFile', o, task, async () => {
    need(o, 'url', 'String');
    const r = (await inNetworkSlot(aborted, () => shellTask('downloadFile', plain(o, 'filePath'), aborted))) as Opts;
    const header = (r.header || {}) as Record<string, unknown>;
    h.headers.emit({ header, statusCode: r.statusCode as number });
    const path = String(r.tempFilePath ?? '');
    const comma = path.indexOf(',');
    const size = path.startsWith('data:') && comma > 0 ? Math.floor(((path.length - comma - 1) * 3) / 4) : 0;
    progress.emit({ progress: 100, totalBytesWritten: size, totalBytesExpectedToWrite: size });
    return { tempFilePath: path, statusCode: r.statusCode, header };
  });
});

// ---- WebSocket ----

const MAX_SOCKETS = 5;
type SocketState = 'connecting' | 'open' | 'closing' | 'closed';

class SocketTask {
  /** CONNECTING 0, OPEN 1, CLOSING 2, CLOSED 3, as WebSocket. */
  readyState = 0;
  state: SocketState = 'connecting';
  private opened = new Listeners<Record<string, unknown>>();
  private messages = new Listeners<Record<string, unknown>>();
  private errors = new Listeners<Record<string, unknown>>();
  private closed = new Listeners<Record<string, unknown>>();
  onOpen = this.opened.on;
  offOpen = this.opened.off;
  onMessage = this.messages.on;
  offMessage = this.messages.off;
  onError = this.errors.on;
  offError = this.errors.off;
  onClose = this.closed.on;
  offClose = this.closed.off;
  constructor(readonly id: number) {}

  send(o: Opts = {}) {
    o = o || {};
    return settle('SocketTask.send', o, async () => {
      const d = o.data;
      if (typeof d !== 'string' && !(d instanceof ArrayBuffer) && !ArrayBuffer.isView(d)) {
        throw new ApiError(`parameter error: parameter.data should be String/ArrayBuffer instead of ${typeName(d)};`);
      }
      if (this.state !== 'open') throw new ApiError('SocketTask.readyState is not OPEN');
      const data = ArrayBuffer.isView(d) ? d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) : d;
      await callShell('socket.send', { id: this.id, data });
    });
  }

  close(o: Opts = {}) {
    o = o || {};
    return settle('SocketTask.close', o, async () => {
      const code = o.code === undefined ? 1000 : Number(o.code);
      if (code !== 1000 && !(code >= 3000 && code <= 4999)) throw new ApiError(`invalid code ${code}: it must be 1000 or in 3000-4999`);
      if (this.state === 'closed') return;
      this.state = 'closing';
      this.readyState = 2;
      await callShell('socket.close', { id: this.id, code, reason: String(o.reason ?? '') });
    });
  }

  /** An event from the shell. */
  event(ev: Record<string, unknown>, legacy: boolean): void {
    switch (ev.type) {
      case 'open':
        if (this.state === 'connecting') {
          this.state = 'open';
          this.readyState = 1;
        }
        this.fire(this.opened, legacyOpen, legacy, { header: ev.header || {}, profile: {} });
        break;
      case 'message':
        this.fire(this.messages, legacyMessage, legacy, { data: ev.data });
        break;
      case 'error':
        this.fire(this.errors, legacyError, legacy, { errMsg: String(ev.errMsg || 'connectSocket:fail') });
        break;
      case 'close':
        this.finish();
        this.fire(this.closed, legacyClose, legacy, { code: ev.code ?? 1006, reason: ev.reason ?? '' });
        break;
    }
  }

  finish(): void {
    this.state = 'closed';
    this.readyState = 3;
    sockets.delete(this.id);
  }

  private fire(own: Listeners<Record<string, unknown>>, global: Listeners<Record<string, unknown>>, legacy: boolean, v: Record<string, unknown>) {
    own.emit(v);
    if (legacy) global.emit(v);
  }
}

/** Runs a SocketTask method with success/fail/complete (no Promise form, as WeChat). */
function settle(name: string, o: Opts, run: () => Promise<void>): void {
  run().then(
    () => {
      const res = { errMsg: `${name}:ok` };
      if (typeof o.success === 'function') o.success(res);
      if (typeof o.complete === 'function') o.complete(res);
    },
    (e) => {
      const res = { errMsg: errMsgOf(name, e) };
      if (typeof o.fail === 'function') o.fail(res);
      else if (typeof o.complete !== 'function') console.error(res.errMsg);
      if (typeof o.complete === 'function') o.complete(res);
    },
  );
}

const sockets = new Map<number, SocketTask>();
let nextSocket = 0;
/** The socket wx.onSocket*, sendSocketMessage and closeSocket act on: the latest one. */
let legacySocket: SocketTask | null = null;
const legacyOpen = new Listeners<Record<string, unknown>>();
const legacyMessage = new Listeners<Record<string, unknown>>();
const legacyError = new Listeners<Record<string, unknown>>();
const legacyClose = new Listeners<Record<string, unknown>>();

onApiEvent('socket', (ev: Record<string, unknown>) => {
  const s = sockets.get(Number(ev && ev.id));
  if (s) s.event(ev, s === legacySocket);
});

defineApi('connectSocket', (o: Opts = {}) => {
  o = o || {};
  const live = [...sockets.values()].filter((s) => s.state !== 'closed').length;
  const task = new SocketTask(++nextSocket);
  const precheck = (): void => {
    need(o, 'url', 'String');
    if (!/^wss?:\/\//i.test(String(o.url))) throw new ApiError(`invalid url "${String(o.url)}": it must start with ws:// or wss://`);
    if (live >= MAX_SOCKETS) throw new ApiError(`exceed max task count: at most ${MAX_SOCKETS} sockets at a time`);
  };
  let ok = true;
  try {
    precheck();
  } catch {
    ok = false;
  }
  if (ok) {
    sockets.set(task.id, task);
    legacySocket = task;
  }
  const opts = { ...o };
  // The Promise form of connectSocket resolves with the result, like WeChat; the task is the return value with callbacks.
  return taskCall('connectSocket', opts, task, async () => {
    precheck();
    const protocols = Array.isArray(o.protocols) ? o.protocols.map(String) : [];
    try {
      const args: Opts = { id: task.id, url: o.url, header: o.header || {}, protocols };
      if (o.timeout !== undefined) args.timeout = Number(o.timeout);
      await callShell('socket.open', args);
    } catch (e) {
      task.finish();
      const errMsg = `connectSocket:fail ${e instanceof Error ? e.message.replace(/^connectSocket:fail /, '') : String(e)}`;
      task.event({ type: 'error', errMsg }, task === legacySocket);
      throw new Error(errMsg);
    }
    return {};
  });
});

defineApi('onSocketOpen', legacyOpen.on);
defineApi('offSocketOpen', legacyOpen.off);
defineApi('onSocketMessage', legacyMessage.on);
defineApi('offSocketMessage', legacyMessage.off);
defineApi('onSocketError', legacyError.on);
defineApi('offSocketError', legacyError.off);
defineApi('onSocketClose', legacyClose.on);
defineApi('offSocketClose', legacyClose.off);

defineAsync('sendSocketMessage', (o) => {
  const s = legacySocket;
  if (!s || s.state !== 'open') throw new ApiError('WebSocket is not connected');
  return new Promise((resolve, reject) => {
    s.send({ data: o.data, success: () => resolve({}), fail: (r: { errMsg: string }) => reject(new Error(r.errMsg.replace(/^SocketTask\.send:fail /, ''))) });
  });
});

defineAsync('closeSocket', (o) => {
  const s = legacySocket;
  if (!s || s.state === 'closed') throw new ApiError('WebSocket is not connected');
  return new Promise((resolve, reject) => {
    s.close({ code: o.code, reason: o.reason, success: () => resolve({}), fail: (r: { errMsg: string }) => reject(new Error(r.errMsg.replace(/^SocketTask\.close:fail /, ''))) });
  });
});

// ---- network status (the worker has navigator.onLine and online/offline events) ----

interface NetInfo {
  onLine?: boolean;
  connection?: { type?: string; effectiveType?: string; addEventListener?: Function };
}

function networkType(): string {
  const n = (globalThis as { navigator?: NetInfo }).navigator;
  if (!n) return 'unknown';
  if (n.onLine === false) return 'none';
  const c = n.connection;
  if (c && (c.type === 'wifi' || c.type === 'ethernet')) return 'wifi';
  if (c && c.type === 'cellular' && c.effectiveType) return c.effectiveType.replace('slow-', '');
  return 'unknown';
}

defineAsync('getNetworkType', () => {
  const type = networkType();
  return { networkType: type, signalStrength: 0, hasSystemProxy: false };
});

const netListeners = new Listeners<Record<string, unknown>>();
let watching = false;
defineApi('onNetworkStatusChange', (f: (v: Record<string, unknown>) => void) => {
  netListeners.on(f);
  const g = globalThis as { addEventListener?: Function };
  if (watching || typeof g.addEventListener !== 'function') return;
  watching = true;
  const report = () => {
    const t = networkType();
    netListeners.emit({ isConnected: t !== 'none', networkType: t });
  };
  g.addEventListener('online', report);
  g.addEventListener('offline', report);
});
defineApi('offNetworkStatusChange', netListeners.off);
defineApi('onNetworkWeakChange', () => {});
defineApi('offNetworkWeakChange', () => {});
