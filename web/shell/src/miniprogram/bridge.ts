// The shell's answers to a frame's relayed calls ({t:"call"}): what only the
// shell may do for a mini program — its storage, the network through the
// server's proxy, sign-in, the user's profile and location, the clipboard,
// calls, other mini programs. Each answer is a value or an Error whose
// message is WeChat's errMsg; a name the shell does not know is an error.
import { ApiError } from '../api';
import { mpApi, type ProxyAnswer } from './api';
import { grants, SCOPES, setGrant, setGrants } from './scopes';
import { existingSession, type Session } from './session';
import { askScope, openLinkSheet, scanSheet, settingsSheet, subscribeSheet, type ScanResult } from './sheets';
import { notificationsApi } from '../notifications';
import * as sockets from './sockets';
import * as storage from './storage';

/** What the container offers a call while it shows the session. */
export interface BridgeUI {
  /** A sheet asking the user; resolves true when they agree; goes away when signal aborts. */
  confirm(ask: Ask, signal: AbortSignal): Promise<boolean>;
  /** Leaves the container (the app goes to the background). */
  close(): void;
  /** Opens another mini program (navigateToMiniProgram). */
  /** envVersion: develop or trial to open that version of appid (a member's), else its release. */
  openMiniProgram(appid: string, path: string, referrer: { appId: string; extraData?: unknown }, envVersion?: string): void;
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

/** The clipboard and the position are the foreground app's only, as in WeChat. */
function needForeground(s: Session, api: string): void {
  if (!s.visible) throw fail(api, 'app is in background');
}

/** A confirm sheet of the container, in the session's queue of sheets. */
function confirm(s: Session, api: string, ask: Ask): Promise<boolean> {
  const ui = needUI(s, api);
  return s.ask(api, (signal) => ui.confirm(ask, signal));
}

const handlers: Record<string, Handler> = {
  // The limits are checked again here: the frame's own checks are its code's to skip.
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
  'network.abort': (s, o) => {
    // RequestTask/UploadTask/DownloadTask.abort(): the proxied call ends, on the server too.
    running.get(s)?.get(String(o.task))?.abort();
    return null;
  },
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
    const ok = await confirm(s, 'getUserProfile', { kind: 'profile', app: s.state.name, desc: typeof o.desc === 'string' ? o.desc : '' });
    if (!ok) throw fail('getUserProfile', 'auth deny');
    return mpApi.userProfile(s.appid);
  },
  'auth.getSetting': (s) => ({ authSetting: grants(s.user.id, s.appid) }),
  'auth.authorize': async (s, o) => {
    const scope = typeof o.scope === 'string' ? o.scope : '';
    if (!(scope in SCOPES)) throw fail('authorize', `invalid scope "${scope}"`);
    await consent(s, 'authorize', scope);
    return {};
  },
  'auth.openSetting': async (s) => {
    needUI(s, 'openSetting');
    const chosen = await s.ask('openSetting', (signal) => settingsSheet(s.state.name, grants(s.user.id, s.appid), signal));
    setGrants(s.user.id, s.appid, chosen);
    return { authSetting: grants(s.user.id, s.appid) };
  },

  getLocation: async (s, o) => {
    needForeground(s, 'getLocation');
    // The fuzzy scope alone gets the position rounded to about a kilometre,
    // here rather than in the frame, which could skip the rounding.
    const g = grants(s.user.id, s.appid);
    const fuzzyOnly = g['scope.userLocation'] !== true && g['scope.userFuzzyLocation'] === true;
    if (!fuzzyOnly) await consent(s, 'getLocation', 'scope.userLocation');
    const p = (await position(o)) as Record<string, number>;
    if (!fuzzyOnly) return p;
    const round = (n: number) => Math.round(n * 100) / 100;
    return { ...p, latitude: round(p.latitude), longitude: round(p.longitude), accuracy: 1000, horizontalAccuracy: 1000, altitude: 0, speed: -1 };
  },
  scanCode: async (s, o) => {
    needUI(s, 'scanCode');
    const scanType = Array.isArray(o.scanType) ? o.scanType.filter((t): t is string => typeof t === 'string') : [];
    const r = await s.ask('scanCode', (signal) => scanSheet(!!o.onlyFromCamera, (picture) => decodeCode(s, picture, scanType), signal));
    if (!r) throw fail('scanCode', 'cancel');
    const out: ScanResult = { result: r.result, scanType: r.scanType, charSet: r.charSet, rawData: r.rawData ?? '' };
    if (r.path) out.path = r.path;
    return out;
  },
  saveImageToPhotosAlbum: async (s, o) => {
    const api = 'saveImageToPhotosAlbum';
    const bytes = await imageBytes(o, api);
    const type = imageType(bytes);
    if (!type) throw fail(api, 'invalid file type: only png, jpeg, gif and webp images can be saved');
    await consent(s, api, 'scope.writePhotosAlbum');
    // The name is the app's; the extension is the image's real type.
    const given = (typeof o.name === 'string' && o.name.replace(/[\\/]/g, '_').replace(/\.[^.]*$/, '')) || 'image';
    const href = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'image/' + type }));
    const a = document.createElement('a');
    a.href = href;
    a.download = given.slice(0, 100) + '.' + (type === 'jpeg' ? 'jpg' : type);
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    return {};
  },
  setClipboardData: async (s, o) => {
    needForeground(s, 'setClipboardData');
    if (typeof o.data !== 'string') throw fail('setClipboardData', 'parameter.data should be String');
    try {
      await navigator.clipboard.writeText(o.data);
    } catch (e) {
      throw fail('setClipboardData', e instanceof Error ? e.message : 'clipboard unavailable');
    }
    return {};
  },
  getClipboardData: async (s) => {
    needForeground(s, 'getClipboardData');
    try {
      return { data: await navigator.clipboard.readText() };
    } catch (e) {
      throw fail('getClipboardData', e instanceof Error ? e.message : 'clipboard unavailable');
    }
  },
  makePhoneCall: async (s, o) => {
    const number = typeof o.phoneNumber === 'string' ? o.phoneNumber.trim() : '';
    if (!number) throw fail('makePhoneCall', 'parameter.phoneNumber should be String');
    const ok = await confirm(s, 'makePhoneCall', { kind: 'phone', number });
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
    const ok = await confirm(s, 'navigateToMiniProgram', { kind: 'open', app: s.state.name, target });
    if (!ok) throw fail('navigateToMiniProgram', 'cancel');
    // As WeChat: envVersion counts only from a develop or trial version; a release opens the other app's release.
    const fromTest = s.launch?.version.channel === 'develop' || s.launch?.version.channel === 'trial';
    const envVersion = fromTest && (o.envVersion === 'develop' || o.envVersion === 'trial') ? o.envVersion : '';
    needUI(s, 'navigateToMiniProgram').openMiniProgram(target, typeof o.path === 'string' ? o.path : '', { appId: s.appid, extraData: o.extraData }, envVersion);
    return {};
  },
  exit: (s, o) => {
    if (o.reason === 'back') {
      // navigateBackMiniProgram: back to the mini program that opened this
      // one, if any (the container shows it with scene 1038), else close.
      const ui = needUI(s, 'navigateBackMiniProgram');
      const from = s.params.referrerInfo?.appId;
      const opener = from ? existingSession(s.user, from) : undefined;
      // Its next show from this app (scene 1038) carries extraData in referrerInfo.
      if (opener) opener.returnedData = { from: s.appid, extraData: o.extraData };
      ui.close();
      return {};
    }
    needUI(s, 'exitMiniProgram').close();
    return {};
  },
  'socket.open': (s, o) => {
    if (typeof o.id !== 'number') throw fail('connectSocket', 'parameter.id should be Number');
    if (typeof o.url !== 'string' || !/^wss?:\/\//i.test(o.url)) throw fail('connectSocket', 'invalid url: it must start with ws:// or wss://');
    const protocols = Array.isArray(o.protocols) ? o.protocols.map(String) : [];
    sockets.open(s, { id: o.id, url: o.url, header: headers(o), protocols, timeout: typeof o.timeout === 'number' ? o.timeout : undefined });
    return {};
  },
  'socket.send': (s, o) => {
    sockets.send(s, Number(o.id), o.data);
    return {};
  },
  'socket.close': (s, o) => {
    sockets.close(s, Number(o.id), o.code === undefined ? 1000 : Number(o.code), typeof o.reason === 'string' ? o.reason : '');
    return {};
  },
  // web-view's "Open in browser": the frame may not open windows; the user
  // confirms, and the page opens in a new, unrelated tab.
  openLink: async (s, o) => {
    const api = 'openLink';
    let url: URL;
    try {
      url = new URL(typeof o.url === 'string' ? o.url : '');
    } catch {
      throw fail(api, 'invalid url');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(api, 'only http and https pages can be opened');
    needUI(s, api);
    const ok = await s.ask(api, (signal) => openLinkSheet(s.state.name, url.href, signal));
    if (!ok) throw fail(api, 'cancel');
    window.open(url.href, '_blank', 'noopener,noreferrer');
    return {};
  },
  requestSubscribeMessage: (s, o) => requestSubscribe(s, o),
  share: async (s, o) => {
    await needUI(s, 'share').share(typeof o.title === 'string' ? o.title : s.state.name, typeof o.path === 'string' ? o.path : s.state.path);
    return {};
  },
};

/**
 * Asks once for scope: a stored answer stands (a refusal until the user
 * changes it in openSetting), otherwise the consent sheet asks and the
 * answer is kept for (user, app).
 */
async function consent(s: Session, api: string, scope: string): Promise<void> {
  const known = grants(s.user.id, s.appid)[scope];
  if (known === true) return;
  if (known === false) throw fail(api, 'auth deny');
  needUI(s, api);
  // In the session's queue: of several calls asking for one scope, the
  // first asks and the others find its answer.
  const ok = await s.ask(api, async (signal) => {
    const g = grants(s.user.id, s.appid)[scope];
    if (g !== undefined) return g;
    const answer = await askScope(s.state.name, scope, signal);
    setGrant(s.user.id, s.appid, scope, answer);
    return answer;
  });
  if (!ok) throw fail(api, 'auth deny');
}

/**
 * wx.requestSubscribeMessage: the templates' titles from the server, the
 * sheet for those without a kept choice, the answers recorded (one credit
 * per accept). WeChat's failures come back as {errCode, message}.
 */
async function requestSubscribe(s: Session, o: Options): Promise<unknown> {
  const api = 'requestSubscribeMessage';
  const ids = Array.isArray(o.tmplIds) ? o.tmplIds.filter((x): x is string => typeof x === 'string' && x !== '') : [];
  if (ids.length === 0) return { errCode: 10001, message: "TmplIds can't be empty" };
  if (ids.length > 3) return { errCode: 20003, message: 'Templates count out of max bounds' };
  if (!s.ui || !s.visible) return { errCode: 10005, message: 'Cannot show subscribe message UI' };
  const prompt = await notificationsApi.prompt(s.appid, ids).catch(() => null);
  if (!prompt) return { errCode: 10002, message: 'Request list fail' };
  if (prompt.unknown.length || prompt.templates.length === 0) return { errCode: 20001, message: 'No template data return, verify the template id exist' };
  const answers: Record<string, string> = { ...prompt.kept };
  const ask = prompt.templates.filter((t) => !prompt.kept[t.id]);
  let keep = false;
  if (ask.length) {
    needUI(s, api);
    const choice = await s.ask(api, (signal) => subscribeSheet(s.state.name, ask, signal));
    for (const t of ask) answers[t.id] = choice.accepted.includes(t.id) ? 'accept' : 'reject';
    keep = choice.keep;
  }
  const decided = await notificationsApi.decide(s.appid, answers, keep).catch(() => null);
  if (!decided) return { errCode: 10003, message: 'Request subscribe fail' };
  return { answers: decided.answers };
}

/** The browser's position, as getLocation answers it (WGS-84). */
function position(o: Options): Promise<unknown> {
  return new Promise((resolve, reject) => {
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
  });
}

/** The picture's code of one of scanType's kinds (wx.scanCode's; none: WeChat's default) by the server's side-effect-free decoder; null when it holds none. */
async function decodeCode(s: Session, picture: Blob, scanType: string[]): Promise<ScanResult | null> {
  const image = base64(new Uint8Array(await picture.arrayBuffer()));
  let resp: Response;
  try {
    resp = await fetch('/shell/api/mp/' + encodeURIComponent(s.appid) + '/scan', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(scanType.length ? { image, scanType } : { image }),
    });
  } catch {
    throw fail('scanCode', 'cannot reach the server');
  }
  const data = await resp.json().catch(() => null);
  if (resp.ok) return data as ScanResult;
  const e = data?.error ?? {};
  if (e.code === 'no_code') return null;
  throw new ApiError(resp.status, e.code ?? 'http_' + resp.status, e.message ?? `The server answered ${resp.status}.`);
}

// ---- images ----

/** The bytes of the image to save: bytes the frame sent, a data:image/* URL, or a file of a package (/mp/pkg/ on this origin). */
async function imageBytes(o: Options, api: string): Promise<Uint8Array> {
  if (o.data instanceof ArrayBuffer) return new Uint8Array(o.data);
  if (typeof o.url !== 'string') throw fail(api, 'parameter.filePath should be String');
  const data = /^data:image\/[a-z0-9.+-]+(;[^,]*)?,(.*)$/is.exec(o.url);
  if (data) {
    const base64Encoded = /;base64$/i.test(data[1] || '');
    try {
      return base64Encoded ? unbase64(data[2]) : new TextEncoder().encode(decodeURIComponent(data[2]));
    } catch {
      throw fail(api, 'invalid data URL');
    }
  }
  let u: URL;
  try {
    u = new URL(o.url, location.href);
  } catch {
    throw fail(api, 'invalid url');
  }
  // Only the mini program's own files: another origin's or another shell
  // page's could be saved under the user's name.
  if (u.origin !== location.origin || !/^\/mp\/pkg\/[0-9a-f]{64}$/.test(u.pathname)) throw fail(api, 'the file must be a local file of the mini program');
  const resp = await fetch(u.pathname, { credentials: 'same-origin' }).catch(() => null);
  if (!resp || !resp.ok) throw fail(api, 'file not found');
  return new Uint8Array(await resp.arrayBuffer());
}

/** The image format by its magic bytes, or null for anything else. */
export function imageType(b: Uint8Array): 'png' | 'jpeg' | 'gif' | 'webp' | null {
  const at = (i: number, ...xs: number[]) => xs.every((x, k) => b[i + k] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  return null;
}

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

/** The proxied calls of each session under way, by the task id the runtime gave them, to abort. */
const running = new WeakMap<Session, Map<string, AbortController>>();

/** A call through the server's proxy; o.task (the runtime's task id) lets network.abort end it. */
async function proxied(s: Session, api: string, o: Options, body: Record<string, unknown>): Promise<ProxyAnswer> {
  const task = typeof o.task === 'string' ? o.task : '';
  const abort = new AbortController();
  let tasks = running.get(s);
  if (task) {
    if (!tasks) running.set(s, (tasks = new Map()));
    tasks.set(task, abort);
  }
  try {
    return await mpApi.request(s.appid, { api, ...body }, abort.signal);
  } catch (e) {
    if (abort.signal.aborted) throw fail(api, 'abort');
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(api + ':fail') ? msg : `${api}:fail ${msg}`);
  } finally {
    if (tasks?.get(task) === abort) tasks.delete(task);
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
  const ans = await proxied(s, 'request', o, { url, method, header, data, dataEncoding, responseType: o.responseType, timeout: o.timeout });
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
  const ans = await proxied(s, 'uploadFile', o, {
    url: o.url, name: o.name, fileName: p.split('/').pop() || 'file', header: headers(o),
    formData: o.formData && typeof o.formData === 'object' ? o.formData : {}, data: base64(bytes), dataEncoding: 'base64', timeout: o.timeout,
  });
  const text = ans.encoding === 'base64' ? new TextDecoder().decode(unbase64(ans.data)) : ans.data;
  return { data: text, statusCode: ans.statusCode, errMsg: 'uploadFile:ok' };
}

async function downloadFile(s: Session, o: Options): Promise<unknown> {
  if (typeof o.url !== 'string') throw fail('downloadFile', 'parameter.url should be String');
  const ans = await proxied(s, 'downloadFile', o, { url: o.url, header: headers(o), timeout: o.timeout });
  const type = (ans.header['Content-Type'] || 'application/octet-stream').split(';')[0].trim();
  // A data: URL is a file the sandboxed frame can show (<image src>) and
  // hand back to uploadFile without any storage of its own.
  return { tempFilePath: `data:${type};base64,${ans.data}`, statusCode: ans.statusCode, header: ans.header, errMsg: 'downloadFile:ok' };
}
