// wx.connectSocket for a frame: each of its sockets is a WebSocket from
// the shell's page to the server's relay (/shell/api/mp/{appid}/socket,
// internal/miniprogram/socketproxy), which the frame itself may not open
// (connect-src 'none'). What happens on a socket goes back to the frame as
// {t:"event", name:"socket", data:{id, type, …}}; the frame's sockets end
// with it.
import type { Session } from './session';

/** WeChat's limit of sockets open at once. */
const MAX_SOCKETS = 5;

/** Close codes of the relay that mean the socket failed, not closed. */
const FAILURES: Record<number, string> = {
  4403: 'refused',
  4502: 'the server is unreachable',
  4504: 'the server did not answer in time',
  1009: 'message too big',
  1006: 'connection lost',
};

interface Socket {
  ws: WebSocket;
  opened: boolean;
  /** The mini program asked to close: its own code is no failure. */
  closing: boolean;
  done: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

const bySession = new WeakMap<Session, Map<number, Socket>>();

function socketsOf(s: Session): Map<number, Socket> {
  let m = bySession.get(s);
  if (!m) {
    const own = new Map<number, Socket>();
    bySession.set(s, own);
    m = own;
    // destroy() tells subscribers; then every socket goes with the frame.
    const stop = s.subscribe(() => {
      if (s.alive) return;
      stop();
      for (const k of own.values()) {
        k.done = true;
        clearTimeout(k.timer);
        k.ws.close(1001, 'the mini program was closed');
      }
      own.clear();
    });
  }
  return m;
}

function event(s: Session, data: Record<string, unknown>): void {
  s.post({ t: 'event', name: 'socket', data });
}

/** The socket's last events: an error first when it failed, then close. */
function finish(s: Session, id: number, code: number, reason: string, errMsg?: string): void {
  const k = socketsOf(s).get(id);
  if (!k || k.done) return;
  k.done = true;
  clearTimeout(k.timer);
  socketsOf(s).delete(id);
  if (errMsg !== undefined) event(s, { id, type: 'error', errMsg });
  event(s, { id, type: 'close', code, reason });
}

export interface OpenArgs {
  id: number;
  url: string;
  header: Record<string, unknown>;
  protocols: string[];
  timeout?: number;
}

/** Opens socket id of the frame; events follow. Throws what connectSocket fails with. */
export function open(s: Session, a: OpenArgs): void {
  const mine = socketsOf(s);
  if (mine.has(a.id)) throw new Error(`connectSocket:fail socket ${a.id} is already open`);
  if (mine.size >= MAX_SOCKETS) throw new Error(`connectSocket:fail exceed max task count: at most ${MAX_SOCKETS} sockets at a time`);
  const q = new URLSearchParams({ url: a.url });
  if (a.protocols.length) q.set('protocols', a.protocols.join(','));
  if (Object.keys(a.header).length) q.set('header', JSON.stringify(a.header));
  const origin = location.origin.replace(/^http/, 'ws');
  const ws = new WebSocket(`${origin}/shell/api/mp/${encodeURIComponent(s.appid)}/socket?${q}`);
  ws.binaryType = 'arraybuffer';
  const k: Socket = { ws, opened: false, closing: false, done: false };
  mine.set(a.id, k);
  if (a.timeout && a.timeout > 0) {
    k.timer = setTimeout(() => {
      if (k.opened) return;
      ws.close();
      finish(s, a.id, 1006, 'timeout', 'connectSocket:fail timeout');
    }, a.timeout);
  }
  ws.onmessage = (e: MessageEvent) => {
    if (k.done) return;
    if (!k.opened) {
      // The relay's first message says the developer's server accepted.
      let m: { type?: unknown; protocol?: unknown; header?: unknown } = {};
      try {
        m = JSON.parse(String(e.data));
      } catch {
        // Not the relay's: treated as a failure below.
      }
      if (m.type !== 'open') {
        ws.close();
        finish(s, a.id, 1006, 'unexpected answer from the relay', 'connectSocket:fail unexpected answer from the relay');
        return;
      }
      k.opened = true;
      clearTimeout(k.timer);
      event(s, { id: a.id, type: 'open', header: m.header && typeof m.header === 'object' ? m.header : {}, protocol: typeof m.protocol === 'string' ? m.protocol : '' });
      return;
    }
    event(s, { id: a.id, type: 'message', data: e.data });
  };
  ws.onclose = (e: CloseEvent) => {
    const why = k.closing ? undefined : FAILURES[e.code];
    finish(s, a.id, e.code, e.reason, why === undefined ? undefined : e.reason || why);
  };
}

export function send(s: Session, id: number, data: unknown): void {
  const k = socketsOf(s).get(id);
  if (!k || k.done || !k.opened || k.ws.readyState !== WebSocket.OPEN) throw new Error('WebSocket is not connected');
  if (typeof data === 'string' || data instanceof ArrayBuffer) k.ws.send(data);
  else if (ArrayBuffer.isView(data)) k.ws.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else throw new Error('data should be String or ArrayBuffer');
}

export function close(s: Session, id: number, code: number, reason: string): void {
  const k = socketsOf(s).get(id);
  if (!k || k.done) return;
  if (code !== 1000 && !(code >= 3000 && code <= 4999)) throw new Error(`invalid code ${code}: it must be 1000 or in 3000-4999`);
  if (new TextEncoder().encode(reason).length > 123) throw new Error('reason is longer than 123 bytes');
  k.closing = true;
  k.ws.close(code, reason);
}
