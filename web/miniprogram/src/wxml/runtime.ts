// WXML render runtime: evaluates what internal/miniprogram/wxml generates.
//
// The Go compiler emits one statement per file:
//   __R.wxml("<path>.wxml", function ($) {…})   — a WXML file
//   __R.wxs("<path>.wxs", function (require, module, exports) {…}) — a WXS module
// `__R` is a Registry the caller creates before evaluating them, e.g. with
// this file bundled as an IIFE under the global name SuperappWXML:
//   const __R = new SuperappWXML.Registry();
//   <statements>
//   __R.render("pages/index/index.wxml", data);
//
// Semantics follow WeChat's wcc (see docs/miniprogram.md): the tree render()
// returns, with "wx-" prefixed to tags and `key` dropped, equals the children
// of wcc's wx-page root.

export type VNode = string | VElement;
export interface VElement {
  tag: string;
  attr: Record<string, unknown>;
  children: VNode[];
  key?: string | number;
  rawAttr?: Record<string, string>; // model:x="{{p}}" → {"model:x": "{{p}}"}, as wcc
  generics?: Record<string, string>; // generic:x="y" → {"wx-x": "wx-y"}, as wcc
  // Ours: the wx:if/elif/else branch or wx:for body that produced the node
  // (the innermost one; through <template is>/<include>, qualified by the
  // call site's block as "<site>><inner>"); absent at top level. The logic
  // layer's diff never matches nodes of different blocks.
  branch?: string;
}

type WXSFactory = (require: WXSRequire, module: { exports: unknown }, exports: unknown) => void;
type WXSRequire = ((p: string) => unknown) & { $k: (k: unknown) => unknown; $b: Record<string, unknown> };

// Context of one evaluation: data (e), scope (s: loop variables), the WXS
// modules visible (f), wcc's "access path" flag (ap), the render state, the
// current block id (b) and the prefix of the ids of blocks entered here (B),
// and the data paths of wx:for items (p; null: the item has none).
interface Ctx {
  e: any;
  s: any;
  f: Record<string, unknown>;
  ap: boolean | undefined;
  r: RenderState;
  b?: string;
  B: string;
  p?: Record<string, string | null>;
}
type RenderFn = (c: Ctx, o: VNode[]) => void;
interface FileUnit {
  m: RenderFn;
  t: Record<string, RenderFn>;
  i: string[];
  c: string[];
  w: [string, string | WXSFactory][];
}
interface RenderState {
  mods: Map<string, Record<string, unknown>>;
  activeTemplates: Set<string>;
  activeIncludes: Set<string>;
}

const hasOwn = Object.prototype.hasOwnProperty;
const IDENT = /^[A-Za-z_$][\w$]*$/;

// Deep copy as wcc's $gdc: `prefix` "nv_" adds the WXS prefix to keys,
// undefined strips three characters (the prefix) from them; functions are
// kept only when keepFns (else become null), as are other non-plain objects.
function deepCopy(o: any, prefix: string | undefined, keepFns: boolean): any {
  if (o === null || o === undefined) return o;
  const ctor = o.constructor;
  if (ctor === String || ctor === Boolean || ctor === Number) return o;
  if (ctor === Object) {
    const copy: any = {};
    for (const k in o) {
      if (hasOwn.call(o, k)) copy[prefix === undefined ? k.substring(3) : prefix + k] = deepCopy(o[k], prefix, keepFns);
    }
    return copy;
  }
  if (ctor === Array) {
    const copy: any[] = [];
    for (let i = 0; i < o.length; i++) copy.push(deepCopy(o[i], prefix, keepFns));
    return copy;
  }
  if (ctor === Date) return new Date(o.getTime());
  if (ctor === RegExp) return new RegExp(o.source, (o.global ? "g" : "") + (o.ignoreCase ? "i" : "") + (o.multiline ? "m" : ""));
  if (keepFns && ctor === Function) return o;
  return null;
}

// gdc is deepCopy with wcc's $gdc signature: prefix "nv_" adds the WXS
// prefix, "" keeps keys, undefined strips it; keepFns 2 keeps functions.
function gdc(o: unknown, prefix: string | undefined, keepFns: number): unknown {
  return deepCopy(o, prefix, keepFns === 2);
}

// Helpers the generated code calls as $.x.
const helpers = {
  // name lookup: WXS modules, then scope, then data (own properties only)
  n(c: Ctx, k: string): unknown {
    const f = c.f;
    if (f && hasOwn.call(f, k)) {
      c.ap = true;
      return f[k];
    }
    const s = c.s;
    if (s !== null && s !== undefined && hasOwn.call(s, k)) return s[k];
    const e = c.e;
    if (e !== null && e !== undefined && hasOwn.call(e, k)) return e[k];
    return undefined;
  },
  // member access; missing paths give undefined, never throw
  m(c: Ctx, obj: any, ap: boolean | undefined, key: any): unknown {
    c.ap = ap;
    if (obj === null || obj === undefined) return undefined;
    if (key === null || key === undefined || key === "__proto__" || key === "prototype" || key === "caller") return undefined;
    const v = obj[key];
    if (typeof v === "function" && !ap) return undefined;
    return v;
  },
  // call: only functions reached from a WXS module may be called
  c(c: Ctx, fn: any, ap: boolean | undefined, args: unknown[]): unknown {
    c.ap = ap;
    if (!ap || typeof fn !== "function") return undefined;
    try {
      return deepCopy(fn.apply(null, deepCopy(args, "nv_", false)), undefined, false);
    } catch (err) {
      logError("WXS function threw", err);
      return undefined;
    }
  },
  // text concatenation: undefined contributes nothing
  u(v: unknown): unknown {
    return v === undefined ? "" : v;
  },
  // truthiness of a condition; a function is never true
  t(v: unknown): boolean {
    return typeof v === "function" ? false : !!v;
  },
  sp(v: any): unknown[] {
    if (v === null || v === undefined) return [];
    return typeof v[Symbol.iterator] === "function" ? v : [];
  },
  o1(k: string, v: unknown): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    o[k] = v;
    return o;
  },
  // wcc's object merge: later keys overwrite
  mg(a: any, b: any): any {
    if (b !== null && b !== undefined) for (const k in b) a[k] = b[k];
    return a;
  },
  // `{...x, y}`: y's keys first, then x's keys y does not have
  ms(x: any, b: any): any {
    const r: any = {};
    if (b !== null && b !== undefined) for (const k in b) r[k] = b[k];
    if (x !== null && x !== undefined) for (const k in x) if (!hasOwn.call(r, k)) r[k] = x[k];
    return r;
  },
  el(c: Ctx, o: VNode[], tag: string): VElement {
    const n: VElement = { tag, attr: {}, children: [] };
    if (c.b !== undefined) n.branch = c.b;
    o.push(n);
    return n;
  },
  // the ids of a file's blocks: "<file>:<k>"
  B(file: string, n: number): string[] {
    const ids: string[] = new Array(n);
    for (let k = 0; k < n; k++) ids[k] = file + ":" + k;
    return ids;
  },
  // data path of name.piece…: a wx:for item's own path, or the name itself
  // when it is not a loop variable; null when it is not a writable place
  mp(c: Ctx, root: string, ...pieces: (string | null)[]): string | null {
    let path: string | null;
    if (c.p !== undefined && hasOwn.call(c.p, root)) path = c.p[root];
    else if (hasOwn.call(c.f, root) || (c.s !== null && c.s !== undefined && hasOwn.call(c.s, root))) path = null;
    else path = root;
    for (let i = 0; path !== null && i < pieces.length; i++) path = pieces[i] === null ? null : path + pieces[i];
    return path;
  },
  // rawAttr of a model: binding: the source as written (as wcc), or the
  // data path it resolves to when that goes through a wx:for item or a
  // computed key (computed: the source has one)
  mr(c: Ctx, source: string, computed: number, root: string, ...pieces: (string | null)[]): string {
    if (!computed && (c.p === undefined || !hasOwn.call(c.p, root))) return source;
    const path = helpers.mp(c, root, ...pieces);
    return path === null ? source : "{{" + path + "}}";
  },
  // data path piece of a computed key
  pk(k: unknown): string | null {
    if (typeof k === "number") return k >= 0 && Number.isInteger(k) ? "[" + k + "]" : null;
    if (typeof k === "string") return /^\d+$/.test(k) ? "[" + k + "]" : IDENT.test(k) ? "." + k : null;
    return null;
  },
  // attribute: values are deep-copied; a WXS function becomes "$wxs:name",
  // and the node gets wcc's deep-copy helper as "$gdc" (the view layer uses
  // it to pass event objects to WXS with the nv_ prefix)
  a(c: Ctx, n: VElement, name: string, v: unknown): void {
    const value = deepCopy(v, "", true);
    if (c.ap && typeof value === "function") {
      name = "$wxs:" + name;
      n.attr.$gdc = gdc;
    }
    n.attr[name] = value;
  },
  // wx:for over arrays, objects (key as index), strings (chars), numbers
  // The body is a block (id); listPath, given when the body has model:
  // bindings, is the list's data path (null: it has none).
  f(c: Ctx, list: any, item: string, index: string, key: string, o: VNode[], id: string, body: () => void, listPath?: string | null): void {
    const scope = c.s;
    const hadItem = hasOwn.call(scope, item), hadIndex = hasOwn.call(scope, index);
    const oldItem = scope[item], oldIndex = scope[index];
    const type = Object.prototype.toString.call(list);
    const outerBlock = c.b;
    c.b = c.B + id;
    let paths: Record<string, string | null> | undefined, hadPath = false, oldPath: string | null = null;
    if (listPath !== undefined) {
      // characters of a string and numbers counted up to are not places
      if (type !== "[object Array]" && type !== "[object Object]") listPath = null;
      paths = c.p || (c.p = {});
      hadPath = hasOwn.call(paths, item);
      oldPath = paths[item];
    }
    const iterate = (it: unknown, ix: unknown, k: unknown) => {
      scope[item] = it;
      scope[index] = ix;
      if (paths !== undefined) {
        paths[item] = listPath === null || listPath === undefined ? null
          : typeof ix === "number" ? listPath + "[" + ix + "]"
          : IDENT.test(ix as string) ? listPath + "." + ix : null;
      }
      const start = o.length;
      body();
      if (key !== "" && (typeof k === "string" || typeof k === "number")) {
        for (let i = start; i < o.length; i++) {
          const n = o[i];
          if (typeof n !== "string") n.key = k;
        }
      }
    };
    const keyOf = (it: any): unknown => (key && it ? (key === "*this" ? it : it[key]) : undefined);
    if (type === "[object Array]") {
      for (let i = 0; i < list.length; i++) iterate(list[i], i, keyOf(list[i]));
    } else if (type === "[object Object]") {
      for (const k in list) iterate(list[k], k, keyOf(list[k]));
    } else if (type === "[object String]") {
      for (let i = 0; i < list.length; i++) iterate(list[i], i, list[i] + i);
    } else if (type === "[object Number]") {
      for (let i = 0; i < list; i++) iterate(i, i, i);
    }
    c.b = outerBlock;
    if (paths !== undefined) {
      if (hadPath) paths[item] = oldPath;
      else delete paths[item];
    }
    if (hadItem) scope[item] = oldItem;
    else delete scope[item];
    if (hadIndex) scope[index] = oldIndex;
    else delete scope[index];
  },
  // set by Registry: <template is> and <include>
  T: null as unknown as (c: Ctx, file: string, name: unknown, data: unknown, o: VNode[]) => void,
  I: null as unknown as (c: Ctx, file: string, target: string, o: VNode[]) => void,
};

function logError(what: string, err: unknown): void {
  if (typeof console !== "undefined") console.error("WXML: " + what, err);
}

function warn(msg: string): void {
  if (typeof console !== "undefined") console.warn("WXML: " + msg);
}

let builtinsInstalled = false;

// WXS sees built-in methods only under their nv_ names, as in wcc.
function installWXSBuiltins(): void {
  if (builtinsInstalled) return;
  builtinsInstalled = true;
  const def = (o: object, name: string, value: unknown, writable = true) => {
    if (!hasOwn.call(o, "nv_" + name)) Object.defineProperty(o, "nv_" + name, { writable, configurable: true, value });
  };
  const getter = (o: object, name: string, get: (this: any) => unknown, set?: (this: any, v: any) => void) => {
    if (!hasOwn.call(o, "nv_" + name)) Object.defineProperty(o, "nv_" + name, { configurable: true, get, set: set || function () {} });
  };
  const methods = (o: any, names: string[]) => names.forEach((n) => def(o, n, o[n]));
  def(Object.prototype, "constructor", "Object");
  def(Object.prototype, "toString", function () { return "[object Object]"; });
  def(Function.prototype, "constructor", "Function");
  getter(Function.prototype, "length", function () { return this.length; });
  def(Function.prototype, "toString", function () { return "[function Function]"; });
  def(Array.prototype, "toString", function (this: any) { return this.nv_join(); });
  def(Array.prototype, "join", function (this: any[], sep?: string) {
    sep = sep == undefined ? "," : sep;
    let r = "";
    for (let i = 0; i < this.length; ++i) {
      if (i !== 0) r += sep;
      const v: any = this[i];
      if (v === null || v === undefined) r += "";
      else if (typeof v === "function") r += v.nv_toString();
      else if (typeof v === "object" && v.nv_constructor === "Array") r += v.nv_join();
      else r += v.toString();
    }
    return r;
  });
  def(Array.prototype, "constructor", "Array");
  methods(Array.prototype, ["concat", "pop", "push", "reverse", "shift", "slice", "sort", "splice", "unshift", "indexOf",
    "lastIndexOf", "every", "some", "forEach", "map", "filter", "reduce", "reduceRight"]);
  getter(Array.prototype, "length", function () { return this.length; }, function (v) { this.length = v; });
  def(String.prototype, "constructor", "String");
  methods(String.prototype, ["toString", "valueOf", "charAt", "charCodeAt", "concat", "indexOf", "lastIndexOf",
    "localeCompare", "match", "replace", "search", "slice", "split", "substring", "toLowerCase", "toLocaleLowerCase",
    "toUpperCase", "toLocaleUpperCase", "trim"]);
  getter(String.prototype, "length", function () { return this.length; });
  def(Boolean.prototype, "constructor", "Boolean");
  methods(Boolean.prototype, ["toString", "valueOf"]);
  for (const n of ["MAX_VALUE", "MIN_VALUE", "NEGATIVE_INFINITY", "POSITIVE_INFINITY"]) def(Number, n, (Number as any)[n], false);
  def(Number.prototype, "constructor", "Number");
  methods(Number.prototype, ["toString", "toLocaleString", "valueOf", "toFixed", "toExponential", "toPrecision"]);
  for (const n of ["E", "LN10", "LN2", "LOG2E", "LOG10E", "PI", "SQRT1_2", "SQRT2", "abs", "acos", "asin", "atan", "atan2",
    "ceil", "cos", "exp", "floor", "log", "max", "min", "pow", "random", "round", "sin", "sqrt", "tan"]) def(Math, n, (Math as any)[n], false);
  def(Date.prototype, "constructor", "Date");
  for (const n of ["parse", "UTC", "now"]) def(Date, n, (Date as any)[n]);
  methods(Date.prototype, ["toString", "toDateString", "toTimeString", "toLocaleString", "toLocaleDateString",
    "toLocaleTimeString", "valueOf", "getTime", "getFullYear", "getUTCFullYear", "getMonth", "getUTCMonth", "getDate",
    "getUTCDate", "getDay", "getUTCDay", "getHours", "getUTCHours", "getMinutes", "getUTCMinutes", "getSeconds",
    "getUTCSeconds", "getMilliseconds", "getUTCMilliseconds", "getTimezoneOffset", "setTime", "setMilliseconds",
    "setUTCMilliseconds", "setSeconds", "setUTCSeconds", "setMinutes", "setUTCMinutes", "setHours", "setUTCHours",
    "setDate", "setUTCDate", "setMonth", "setUTCMonth", "setFullYear", "setUTCFullYear", "toUTCString", "toISOString", "toJSON"]);
  def(RegExp.prototype, "constructor", "RegExp");
  methods(RegExp.prototype, ["exec", "test", "toString"]);
  for (const n of ["source", "global", "ignoreCase", "multiline"]) getter(RegExp.prototype, n, function () { return this[n]; });
  getter(RegExp.prototype, "lastIndex", function () { return this.lastIndex; }, function (v) { this.lastIndex = v; });
}

// The globals a WXS module may use (bound as nv_<name> in each module).
const wxsGlobals: Record<string, unknown> = {
  getDate: (...args: any[]) => new (Date as any)(...args),
  getRegExp: (...args: any[]) => new (RegExp as any)(...args),
  console: {
    nv_log: (...args: unknown[]) => {
      let res = "WXSRT:";
      for (const a of args) res += a + " ";
      console.log(res);
    },
  },
  JSON: {
    nv_stringify: (o: unknown) => JSON.stringify(deepCopy(o, undefined, false)),
    nv_parse: (s: unknown) => (s === undefined ? undefined : deepCopy(JSON.parse(s as string), "nv_", false)),
  },
  parseInt,
  parseFloat,
  isNaN,
  isFinite,
  decodeURI,
  decodeURIComponent,
  encodeURI,
  encodeURIComponent,
};

function wxsKey(k: unknown): unknown {
  return k === null || k === undefined ? undefined : typeof k === "number" ? k : "nv_" + k;
}

export class Registry {
  private files = new Map<string, (($: unknown, name: string) => FileUnit) | FileUnit>();
  // short names of the files, for block ids: "1", "2", … in registration
  // order (kept when a file is registered again)
  private fileNames = new Map<string, string>();
  private wxsFactories = new Map<string, WXSFactory>();
  private wxsExports = new Map<string, unknown>();
  private inlineWXS = new Map<string, unknown>();
  private $: typeof helpers;

  constructor() {
    const $ = Object.create(helpers) as typeof helpers;
    $.T = (c, file, name, data, o) => this.callTemplate(c, file, name, data, o);
    $.I = (c, file, target, o) => this.include(c, file, target, o);
    this.$ = $;
  }

  wxml(path: string, fn: unknown): void {
    this.files.set(path, fn as ($: unknown, name: string) => FileUnit);
    if (!this.fileNames.has(path)) this.fileNames.set(path, String(this.fileNames.size + 1));
  }

  wxs(path: string, fn: (require: (p: string) => unknown, module: { exports: unknown }, exports: unknown) => void): void {
    this.wxsFactories.set(path, fn as WXSFactory);
    this.wxsExports.delete(path);
  }

  render(path: string, data: Record<string, unknown>): VNode[] {
    const unit = this.unit(path);
    if (!unit) throw new Error("WXML: no compiled file " + path);
    const out: VNode[] = [];
    const r: RenderState = { mods: new Map(), activeTemplates: new Set(), activeIncludes: new Set() };
    const c: Ctx = { e: data, s: {}, f: this.modules(path, r), ap: undefined, r, b: undefined, B: "" };
    unit.m(c, out);
    return out;
  }

  // The file at p, or at p + ".wxml" (src attributes may omit it).
  private resolve(p: string): string | undefined {
    if (this.files.has(p)) return p;
    if (this.files.has(p + ".wxml")) return p + ".wxml";
    return undefined;
  }

  private unit(path: string): FileUnit | undefined {
    const f = this.files.get(path);
    if (f === undefined) return undefined;
    if (typeof f === "function") {
      const u = f(this.$, this.fileNames.get(path)!);
      this.files.set(path, u);
      return u;
    }
    return f;
  }

  private require(path: string): unknown {
    if (this.wxsExports.has(path)) return this.wxsExports.get(path);
    const factory = this.wxsFactories.get(path);
    if (!factory) {
      warn("WXS module " + path + " not found");
      return undefined;
    }
    return this.instantiate(path, factory, this.wxsExports);
  }

  private instantiate(key: string, factory: WXSFactory, cache: Map<string, unknown>): unknown {
    installWXSBuiltins();
    const req = ((p: string) => this.require(p)) as WXSRequire;
    req.$k = wxsKey;
    req.$b = wxsGlobals;
    const module = { exports: {} as unknown };
    try {
      factory(req, module, module.exports);
    } catch (err) {
      logError("WXS module " + key + " threw", err);
      return undefined;
    }
    cache.set(key, module.exports);
    return module.exports;
  }

  // The WXS modules of a file as WXML sees them: exports with the nv_
  // prefix stripped, copied once per render.
  private modules(path: string, r: RenderState): Record<string, unknown> {
    let m = r.mods.get(path);
    if (m) return m;
    m = {};
    const unit = this.unit(path);
    if (unit) {
      for (let i = 0; i < unit.w.length; i++) {
        const [name, mod] = unit.w[i];
        let exp: unknown;
        if (typeof mod === "string") exp = this.require(mod);
        else {
          // by position: a later <wxs module> with the same name wins
          const key = path + ":" + i;
          exp = this.inlineWXS.has(key) ? this.inlineWXS.get(key) : this.instantiate(key, mod, this.inlineWXS);
        }
        m[name] = deepCopy(exp, undefined, true);
      }
    }
    r.mods.set(path, m);
    return m;
  }

  // Template lookup as wcc: the file's own templates, then its imports
  // (the last import first), then templates imported by files it includes.
  private findTemplate(file: string, name: string): [RenderFn, string] | undefined {
    const unit = this.unit(file);
    if (!unit) return undefined;
    if (hasOwn.call(unit.t, name)) return [unit.t[name], file];
    for (let i = unit.i.length - 1; i >= 0; i--) {
      const p = this.resolve(unit.i[i]);
      const u = p && this.unit(p);
      if (u && hasOwn.call(u.t, name)) return [u.t[name], p!];
    }
    const seen = new Set<string>([file]);
    const queue = [file];
    while (queue.length) {
      const at = this.unit(queue.shift()!)!;
      for (const inc of at.c) {
        const p = this.resolve(inc);
        if (!p || seen.has(p)) continue;
        seen.add(p);
        queue.push(p);
        const u = this.unit(p)!;
        for (let i = u.i.length - 1; i >= 0; i--) {
          const q = this.resolve(u.i[i]);
          const qu = q && this.unit(q);
          if (qu && hasOwn.call(qu.t, name)) return [qu.t[name], q!];
        }
      }
    }
    return undefined;
  }

  private callTemplate(c: Ctx, file: string, name: unknown, data: unknown, o: VNode[]): void {
    if (!name) return;
    const found = this.findTemplate(file, String(name));
    if (!found) {
      warn(file + ": template `" + name + "` not found");
      return;
    }
    const [fn, defFile] = found;
    const id = defFile + ":" + name;
    if (c.r.activeTemplates.has(id)) {
      warn("template `" + id + "` is called recursively; stopped");
      return;
    }
    const d: any = data || {};
    c.r.activeTemplates.add(id);
    try {
      const b = c.b;
      fn({ e: d, s: d, f: this.modules(defFile, c.r), ap: undefined, r: c.r, b, B: b === undefined ? "" : b + ">" }, o);
    } finally {
      c.r.activeTemplates.delete(id);
    }
  }

  private include(c: Ctx, file: string, target: string, o: VNode[]): void {
    const p = this.resolve(target);
    if (!p) {
      warn(file + ": included path `" + target + "` not found");
      return;
    }
    if (c.r.activeIncludes.has(p)) {
      warn("`" + p + "` is being included in a loop; stopped");
      return;
    }
    c.r.activeIncludes.add(p);
    const b = c.b, B = c.B;
    if (b !== undefined) c.B = b + ">";
    try {
      this.unit(p)!.m(c, o);
    } catch (err) {
      // wcc drops what an included file fails to render
      logError("include " + p, err);
    } finally {
      c.r.activeIncludes.delete(p);
      c.b = b;
      c.B = B;
    }
  }
}
