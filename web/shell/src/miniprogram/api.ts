// The shell's mini program API (/shell/api/mp/…, internal/miniprogram/host).
import { ApiError } from '../api';

/** pack.Manifest, as much of it as the shell reads (docs/miniprogram.md). */
export interface Manifest {
  appid: string;
  hash: string;
  app: { pages?: string[]; entryPagePath?: string; window?: { navigationBarTitleText?: string } } & Record<string, unknown>;
  pages: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  packages: { root: string; name?: string; independent?: boolean; pages?: string[]; files: Record<string, string>; size: number }[];
}

export interface MiniProgramSummary {
  appid: string;
  name: string;
}

export interface Launch {
  app: MiniProgramSummary;
  build: { manifest_hash: string; built_at: number };
  manifest: Manifest;
  runtime: { logic: string; view: string };
  frame: string;
  asset_base: string;
  dev: boolean;
}

/** What the server answers for a proxied wx.request, uploadFile or downloadFile. */
export interface ProxyAnswer {
  statusCode: number;
  header: Record<string, string>;
  data: string;
  encoding: 'text' | 'base64';
  cookies: string[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }
  let resp: Response;
  try {
    resp = await fetch('/shell/api/mp/' + path, init);
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const e = data?.error ?? {};
    throw new ApiError(resp.status, e.code ?? 'http_' + resp.status, e.message ?? `The server answered ${resp.status}.`, e.field ?? '');
  }
  return data as T;
}

const app = (appid: string, sub: string) => encodeURIComponent(appid) + '/' + sub;

export const mpApi = {
  launch: (appid: string) => call<Launch>('GET', app(appid, 'launch')),
  login: (appid: string) => call<{ code: string }>('POST', app(appid, 'login')),
  checkSession: (appid: string) => call<{ valid: boolean }>('POST', app(appid, 'check-session')),
  userProfile: (appid: string) => call<Record<string, unknown>>('POST', app(appid, 'user-profile')),
  request: (appid: string, body: Record<string, unknown>) => call<ProxyAnswer>('POST', app(appid, 'request'), body),
  search: (q: string) => call<{ miniprograms: MiniProgramSummary[] }>('GET', 'search?q=' + encodeURIComponent(q)).then((r) => r.miniprograms),
};

/** The frame and the logic runtime a spare container is prepared with (GET /mp/runtime). */
export interface RuntimeInfo {
  logic: string;
  frame: string;
}

let runtimeInfoPromise: Promise<RuntimeInfo> | null = null;
export function runtimeInfo(): Promise<RuntimeInfo> {
  if (!runtimeInfoPromise) {
    runtimeInfoPromise = fetch('/mp/runtime', { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`/mp/runtime: the server answered ${r.status}`);
      return r.json() as Promise<RuntimeInfo>;
    });
    runtimeInfoPromise.catch(() => (runtimeInfoPromise = null));
  }
  return runtimeInfoPromise;
}

/**
 * Fetches a file by its immutable URL once per page load, as a Blob: a
 * Blob crosses to the frame and its worker by reference, where a string
 * would be copied at each hop.
 */
const blobs = new Map<string, Promise<Blob>>();
export function fetchBlob(url: string): Promise<Blob> {
  let p = blobs.get(url);
  if (!p) {
    p = fetch(url, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`${url}: the server answered ${r.status}`);
      return r.blob();
    });
    p.catch(() => blobs.delete(url));
    blobs.set(url, p);
  }
  return p;
}

/**
 * Fetches a text file by its immutable URL once per page load; the HTTP
 * cache (immutable, a year) spares the network on later launches.
 */
const texts = new Map<string, Promise<string>>();
export function fetchText(url: string): Promise<string> {
  let p = texts.get(url);
  if (!p) {
    p = fetch(url, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`${url}: the server answered ${r.status}`);
      return r.text();
    });
    p.catch(() => texts.delete(url));
    texts.set(url, p);
  }
  return p;
}
