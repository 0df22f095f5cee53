// The shell's mini program API (/shell/api/mp/…, internal/miniprogram/host).
import { call as shellCall } from '../api';
import { FileCache } from './filecache';

/** pack.Manifest, as much of it as the shell reads (docs/miniprogram.md). */
export interface Manifest {
  appid: string;
  hash: string;
  app: { pages?: string[]; entryPagePath?: string; window?: { navigationBarTitleText?: string } } & Record<string, unknown>;
  pages: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  packages: { root: string; name?: string; independent?: boolean; pages?: string[]; files: Record<string, string>; data?: string[]; size: number }[];
}

/** A package's code as the frame takes it (web/miniprogram/src/protocol.ts Code): service.js, with its data files' texts when the package has any. */
export type Code = string | Blob | { script: string | Blob; data: Record<string, string | Blob> };

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
  /** The version this session runs for its lifetime (channel "dev-build" for the dev-mode build, id 0). */
  version: { id: number; channel: 'online' | 'gray' | 'trial' | 'develop' | 'dev-build'; user_version?: string };
  /** ext_json committed with the version (wx.getExtConfigSync), when any. */
  ext_config?: Record<string, unknown>;
}

/** What the server answers for a proxied wx.request, uploadFile or downloadFile. */
export interface ProxyAnswer {
  statusCode: number;
  header: Record<string, string>;
  data: string;
  encoding: 'text' | 'base64';
  cookies: string[];
}

const app = (appid: string, sub: string) => encodeURIComponent(appid) + '/' + sub;

/** A call to the mini program API (/shell/api/mp/<path>). */
const call = <T>(method: string, path: string, body?: unknown, signal?: AbortSignal) => shellCall<T>(method, 'mp/' + path, body, signal);

export const mpApi = {
  /** envVersion: the launch URL's env_version (release, trial or develop; empty for release). */
  launch: (appid: string, envVersion = '') =>
    call<Launch>('GET', app(appid, 'launch') + (envVersion ? '?env_version=' + encodeURIComponent(envVersion) : '')),
  login: (appid: string) => call<{ code: string }>('POST', app(appid, 'login')),
  checkSession: (appid: string) => call<{ valid: boolean }>('POST', app(appid, 'check-session')),
  userProfile: (appid: string) => call<Record<string, unknown>>('POST', app(appid, 'user-profile')),
  /** signal: aborting it ends the call, and the server's call with it (RequestTask.abort). */
  request: (appid: string, body: Record<string, unknown>, signal?: AbortSignal) => call<ProxyAnswer>('POST', app(appid, 'request'), body, signal),
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
 * Files fetched by their immutable URLs, kept in memory for the next
 * launch of this page load, least recently used first out once they
 * exceed CACHE_BYTES (the HTTP cache still has them).
 */
export const CACHE_BYTES = 32 * 1024 * 1024;

function fetchOK(url: string): Promise<Response> {
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) throw new Error(`${url}: the server answered ${r.status}`);
    return r;
  });
}

// A Blob crosses to the frame and its worker by reference, where a string
// would be copied at each hop.
const blobs = new FileCache<Blob>(CACHE_BYTES, (b) => b.size);
// Text is UTF-16 in memory: two bytes a character.
const texts = new FileCache<string>(CACHE_BYTES, (t) => t.length * 2);

/** Fetches a file by its immutable URL as a Blob (kept while the cache has room). */
export function fetchBlob(url: string): Promise<Blob> {
  return blobs.get(url, () => fetchOK(url).then((r) => r.blob()));
}

/** Fetches a text file by its immutable URL (kept while the cache has room; the HTTP cache spares the network later). */
export function fetchText(url: string): Promise<string> {
  return texts.get(url, () => fetchOK(url).then((r) => r.text()));
}

/** The in-memory caches' sizes in bytes (the e2e test checks the bound). */
export function cacheBytes(): { blobs: number; texts: number } {
  return { blobs: blobs.bytes, texts: texts.bytes };
}
