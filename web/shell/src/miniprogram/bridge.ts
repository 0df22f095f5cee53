// The shell's answers to a frame's relayed calls ({t:"call"}): what only the
// shell may do for a mini program — its storage, the network through the
// server's proxy, sign-in, the user's profile and location, the clipboard,
// calls, other mini programs. Each answer is a value or an Error whose
// message is WeChat's errMsg; a name the shell does not know is an error.
import { mpApi, type ProxyAnswer } from './api';
import type { Session } from './session';
import * as storage from './storage';

/** What the container offers a call while it shows the session. */
export interface BridgeUI {
  /** A sheet asking the user; resolves true when they agree. */
  confirm(ask: Ask): Promise<boolean>;
  /** Leaves the container (the app goes to the background). */
  close(): void;
  /** Opens another mini program (navigateToMiniProgram). */
  openMiniProgram(appid: string, path: string, referrer: { appId: string; extraData?: unknown }): void;
  /** Shares or copies the link to a page. */
  share(title: string, path: string): Promise<void>;
}

export type Ask =
  | { kind: 'profile'; app: string; desc: string }
  | { kind: 'phone'; number: string }
  | { kind: 'open'; app: string; target: string };

type Options = Record<string, unknown>;
type Handler = (s: Session, o: Options, args: unknown[]) => Promise<unknown> | unknown;

const fail = (api: string, why: string) => new Error(`${api}:fail ${why}`);

function options(args: unknown[]): Options {
  const o = args[0];
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Options) : {};
}

function needUI(s: Session, api: string): BridgeUI {
  if (!s.ui) throw fail(api, 'the mini program is in the background');
  return s.ui;
}

const handlers: Record<string, Handler> = {
  'storage.set': (s, _o, args) => {
    if (typeof args[0] !== 'string') throw fail('setStorage', 'parameter.key should be String');
    return storage.setItem(s.user.id, s.appid, args[0], args[1]);
  },
  'storage.remove': (s, _o, args) => {
    if (typeof args[0] !== 'string') throw fail('removeStorage', 'parameter.key should be String');
    return storage.removeItem(s.user.id, s.appid, args[0]);
  },
  'storage.clear': (s) => storage.clear(s.user.id, s.appid),

  request: (s, o) => request(s, o),
  uploadFile: (s, o) => uploadFile(s, o),
  downloadFile: (s, o) => downloadFile(s, o),

  login: async (s) => {
    try {
      return { code: (await mpApi.login(s.appid)).code };
    } catch (e) {
      throw fail('login', e instanceof Error ? e.message : String(e));
    }
  },
  checkSession: async (s) => {
    const { valid } = await mpApi.checkSession(s.appid).catch(() => ({ valid: false }));
    if (!valid) throw fail('checkSession', 'session time out');
    return {};
  },
  getUserProfile: async (s, o) => {
    const ui = needUI(s, 'getUserProfile');
    const ok = await ui.confirm({ kind: 'profile', app: s.state.name, desc: typeof o.desc === 'string' ? o.desc : '' });
    if (!ok) throw fail('getUserProfile', 'auth deny');
    return mpApi.userProfile(s.appid);
  },
  getLocation: (_s, o) =>
    new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject(fail('getLocation', 'system permission denied'));
      navigator.geolocation.getCurrentPosition(
        (p) =>
          resolve({
            latitude: p.coords.latitude,
            longitude: p.coords.longitude,
            speed: p.coords.speed ?? -1,
            accuracy: p.coords.accuracy,
            altitude: o.altitude ? p.coords.altitude ?? 0 : 0,
            verticalAccuracy: p.coords.altitudeAccuracy ?? 0,
            horizontalAccuracy: p.coords.accuracy,
          }),
        (e) => reject(fail('getLocation', e.code === e.PERMISSION_DENIED ? 'auth deny' : e.message || 'location unavailable')),
        { enableHighAccuracy: !!o.isHighAccuracy, timeout: typeof o.highAccuracyExpireTime === 'number' ? o.highAccuracyExpireTime : 30_000 },
      );
    }),
  // Scanning needs the camera and the shell's decoder in the page; the
  // shell's /scan decodes on the server and acts on official accounts'
  // codes, which a mini program must not trigger.
  scanCode: () => {
    throw fail('scanCode', 'scanning is not available in this shell yet');
  },
  setClipboardData: async (_s, o) => {
    if (typeof o.data !== 'string') throw fail('setClipboardData', 'parameter.data should be String');
    try {
      await navigator.clipboard.writeText(o.data);
    } catch (e) {
      throw fail('setClipboardData', e instanceof Error ? e.message : 'clipboard unavailable');
    }
    return {};
  },
  getClipboardData: async () => {
    try {
      return { data: await navigator.clipboard.readText() };
    } catch (e) {
      throw fail('getClipboardData', e instanceof Error ? e.message : 'clipboard unavailable');
    }
  },
  makePhoneCall: async (s, o) => {
    const number = typeof o.phoneNumber === 'string' ? o.phoneNumber.trim() : '';
    if (!number) throw fail('makePhoneCall', 'parameter.phoneNumber should be String');
    const ok = await needUI(s, 'makePhoneCall').confirm({ kind: 'phone', number });
    if (!ok) throw fail('makePhoneCall', 'cancel');
    const a = document.createElement('a');
    a.href = 'tel:' + encodeURIComponent(number).replace(/%2B/g, '+');
    a.click();
    return {};
  },
  navigateToMiniProgram: async (s, o) => {
    const target = typeof o.appId === 'string' ? o.appId : '';
    if (!target) throw fail('navigateToMiniProgram', 'parameter.appId should be String');
    if (target === s.appid) throw fail('navigateToMiniProgram', 'cannot navigate to self');
    const ui = needUI(s, 'navigateToMiniProgram');
    const ok = await ui.confirm({ kind: 'open', app: s.state.name, target });
    if (!ok) throw fail('navigateToMiniProgram', 'cancel');
    ui.openMiniProgram(target, typeof o.path === 'string' ? o.path : '', { appId: s.appid, extraData: o.extraData });
    return {};
  },
  exit: (s) => {
    needUI(s, 'exitMiniProgram').close();
    return {};
  },
  close: (s) => {
    needUI(s, 'exitMiniProgram').close();
    return {};
  },
  share: async (s, o) => {
    await needUI(s, 'share').share(typeof o.title === 'string' ? o.title : s.state.name, typeof o.path === 'string' ? o.path : s.state.path);
    return {};
  },
};

export async function handleCall(s: Session, name: string, args: unknown[]): Promise<unknown> {
  const h = Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
  if (!h) throw fail(name, 'no such API in this shell');
  return h(s, options(args), args);
}

// ---- network ----

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function unbase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function headers(o: Options): Record<string, unknown> {
  return o.header && typeof o.header === 'object' ? (o.header as Record<string, unknown>) : {};
}

function headerOf(h: Record<string, unknown>, name: string): string {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return String(v);
  return '';
}

/** Object data as a query string, WeChat's way (values as text). */
function queryOf(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))
    .join('&');
}

async function proxied(s: Session, api: string, body: Record<string, unknown>): Promise<ProxyAnswer> {
  try {
    return await mpApi.request(s.appid, { api, ...body });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(api + ':fail') ? msg : `${api}:fail ${msg}`);
  }
}

async function request(s: Session, o: Options): Promise<unknown> {
  if (typeof o.url !== 'string') throw fail('request', 'parameter.url should be String');
  const method = (typeof o.method === 'string' ? o.method : 'GET').toUpperCase();
  const header = headers(o);
  let url = o.url;
  let data = '';
  let dataEncoding = '';
  const d = o.data;
  if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) {
    data = base64(d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    dataEncoding = 'base64';
  } else if (typeof d === 'string') {
    data = d;
  } else if (d !== undefined && d !== null) {
    const form = headerOf(header, 'content-type').includes('application/x-www-form-urlencoded');
    if (method === 'GET' || method === 'HEAD') {
      const q = queryOf(d as Record<string, unknown>);
      if (q) url += (url.includes('?') ? '&' : '?') + q;
    } else data = form ? queryOf(d as Record<string, unknown>) : JSON.stringify(d);
  }
  const ans = await proxied(s, 'request', { url, method, header, data, dataEncoding, responseType: o.responseType, timeout: o.timeout });
  let out: unknown;
  if (o.responseType === 'arraybuffer' || ans.encoding === 'base64') {
    const bytes = unbase64(ans.data);
    out = o.responseType === 'arraybuffer' ? bytes.buffer : new TextDecoder().decode(bytes);
  } else {
    out = ans.data;
    if ((o.dataType ?? 'json') === 'json') {
      try {
        out = JSON.parse(ans.data);
      } catch {
        // Not JSON: WeChat hands the text over as it is.
      }
    }
  }
  return { data: out, statusCode: ans.statusCode, header: ans.header, cookies: ans.cookies, errMsg: 'request:ok' };
}

/** The bytes of a file the frame names: bytes it sent, or a data: URL. */
function fileBytes(o: Options): Uint8Array | null {
  const d = o.fileData;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const p = typeof o.filePath === 'string' ? o.filePath : '';
  const m = /^data:[^,]*;base64,(.*)$/s.exec(p);
  return m ? unbase64(m[1]) : null;
}

async function uploadFile(s: Session, o: Options): Promise<unknown> {
  if (typeof o.url !== 'string') throw fail('uploadFile', 'parameter.url should be String');
  if (typeof o.name !== 'string') throw fail('uploadFile', 'parameter.name should be String');
  const bytes = fileBytes(o);
  if (!bytes) throw fail('uploadFile', 'file not found');
  const p = typeof o.filePath === 'string' && !o.filePath.startsWith('data:') ? o.filePath : '';
  const ans = await proxied(s, 'uploadFile', {
    url: o.url, name: o.name, fileName: p.split('/').pop() || 'file', header: headers(o),
    formData: o.formData && typeof o.formData === 'object' ? o.formData : {}, data: base64(bytes), dataEncoding: 'base64', timeout: o.timeout,
  });
  const text = ans.encoding === 'base64' ? new TextDecoder().decode(unbase64(ans.data)) : ans.data;
  return { data: text, statusCode: ans.statusCode, errMsg: 'uploadFile:ok' };
}

async function downloadFile(s: Session, o: Options): Promise<unknown> {
  if (typeof o.url !== 'string') throw fail('downloadFile', 'parameter.url should be String');
  const ans = await proxied(s, 'downloadFile', { url: o.url, header: headers(o), timeout: o.timeout });
  const type = (ans.header['Content-Type'] || 'application/octet-stream').split(';')[0].trim();
  // A data: URL is a file the sandboxed frame can show (<image src>) and
  // hand back to uploadFile without any storage of its own.
  return { tempFilePath: `data:${type};base64,${ans.data}`, statusCode: ans.statusCode, header: ans.header, errMsg: 'downloadFile:ok' };
}
