// The CommonJS module system of the logic layer: service.js calls
// define(path, factory) for every JS file; require resolves like WeChat
// (relative or package-absolute paths, ".js" optional, miniprogram_npm
// looked up in every directory from the requiring file's up to the root).

/** require as a module gets it: synchronous, with .async and the callback form for other subpackages. */
export type Require = ((p: string, done?: (exports: unknown) => void, failed?: (e: { mod: string; errMsg: string }) => void) => unknown) & {
  async: (p: string) => Promise<unknown>;
};

export type Factory = (require: Require, module: { exports: unknown }, exports: unknown) => void;

interface Mod {
  exports: unknown;
  loaded: boolean;
}

const factories = new Map<string, Factory>();
/** Paths (without ".js") of the modules being evaluated, innermost last: Page() and Component() learn their path here. */
export const loading: string[] = [];
const cache = new Map<string, Mod>();

export function define(path: string, factory: Factory): void {
  path = path.replace(/^\/+/, '');
  factories.set(path, factory);
}

export function isDefined(path: string): boolean {
  return factories.has(path) || factories.has(path + '.js');
}

export { joinPath } from '../names';
import { joinPath } from '../names';

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function candidates(base: string): string[] {
  return [base, base + '.js', base + '/index.js', base + '.json'];
}

/** The defined module a request from `from` (a module path) names, or null. */
export function resolve(from: string, request: string): string | null {
  const tryAll = (base: string) => {
    for (const c of candidates(base)) if (factories.has(c)) return c;
    return null;
  };
  if (request.startsWith('./') || request.startsWith('../') || request === '.' || request === '..') {
    return tryAll(joinPath(dirname(from), request));
  }
  if (request.startsWith('/')) return tryAll(joinPath('', request));
  // Bare: WeChat first tries it as a path relative to the requiring file
  // ("utils/util" from app.js), then miniprogram_npm up the tree.
  const rel = tryAll(joinPath(dirname(from), request));
  if (rel) return rel;
  let dir = dirname(from);
  for (;;) {
    const hit = tryAll(joinPath(dir, 'miniprogram_npm/' + request));
    if (hit) return hit;
    if (dir === '') break;
    dir = dirname(dir);
  }
  return tryAll(request);
}

/** Loads a module by its resolved path; cycles see the partial exports, like Node. */
export function load(path: string): unknown {
  const hit = cache.get(path);
  if (hit) return hit.exports;
  const factory = factories.get(path);
  if (!factory) throw new Error(`module "${path}" is not defined`);
  const mod: Mod = { exports: {}, loaded: false };
  cache.set(path, mod);
  const req = Object.assign(
    (p: string, done?: unknown, failed?: unknown) => (typeof done === 'function' ? requireLater(path, p, done, failed) : requireFrom(path, p)),
    { async: (p: string) => requireAsync(path, p) },
  );
  loading.push(path.replace(/\.js$/, ''));
  try {
    factory.call(mod.exports, req, mod, mod.exports);
  } catch (e) {
    cache.delete(path);
    throw e;
  } finally {
    loading.pop();
  }
  mod.loaded = true;
  return mod.exports;
}

export function requireFrom(from: string, request: string): unknown {
  if (typeof request !== 'string') throw new Error('require args must be a string');
  const path = resolve(from, request);
  if (!path) {
    throw new Error(`module "${joinPath(dirname(from), request)}" is not defined, require args is '${request}'`);
  }
  return load(path);
}

/** Loads the package a module path lies in (the runtime sets it: subpackages come from the shell). */
let packageLoader: (path: string) => Promise<void> = () => Promise.resolve();
export function setPackageLoader(f: typeof packageLoader): void {
  packageLoader = f;
}

/**
 * require.async(request), WeChat's 分包异步化: the module's exports, once the
 * subpackage it lies in is loaded (at once when it is defined already).
 */
export async function requireAsync(from: string, request: string): Promise<unknown> {
  if (typeof request !== 'string') throw new Error('require args must be a string');
  if (!resolve(from, request)) await packageLoader(request.startsWith('/') ? joinPath('', request) : joinPath(dirname(from), request));
  return requireFrom(from, request);
}

/** require(request, callback, errorCallback), the callback form of requireAsync: errorCallback gets {mod, errMsg}. */
function requireLater(from: string, request: string, done: Function, failed: unknown): void {
  requireAsync(from, request).then(
    (exports) => done(exports),
    (e) => {
      const errMsg = e instanceof Error ? e.message : String(e);
      if (typeof failed === 'function') failed({ mod: request, errMsg });
      else setTimeout(() => {
        throw e;
      });
    },
  );
}

/** Loads a page's or component's JS (path without extension), if it exists. */
export function loadIfDefined(path: string): boolean {
  const p = factories.has(path + '.js') ? path + '.js' : factories.has(path) ? path : null;
  if (!p) return false;
  load(p);
  return true;
}
