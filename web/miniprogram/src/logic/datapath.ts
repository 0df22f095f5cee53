// setData keys are data paths: `a.b[1].c`, `list[0]`, with `\` escaping a
// character of a field name (glass-easel's data_path grammar). Missing
// intermediates are created, as an array when the next segment is an index.
// Segments that reach an object's prototype are refused (prototype pollution).

export type Seg = string | number;

/** Segments a data path may not name: they lead to Object.prototype or a constructor's prototype. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype']);

function checkSegments(key: string, out: Seg[]): Seg[] {
  for (const seg of out) {
    if (typeof seg === 'string' && FORBIDDEN_SEGMENTS.has(seg)) throw new Error(`invalid data path "${key}": "${seg}" is not allowed`);
  }
  return out;
}

export function parsePath(key: string): Seg[] {
  const out: Seg[] = [];
  let i = 0;
  let cur = '';
  let have = false;
  const n = key.length;
  while (i < n) {
    const c = key[i];
    if (c === '\\' && i + 1 < n) {
      cur += key[i + 1];
      have = true;
      i += 2;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
      have = false;
      i++;
    } else if (c === '[') {
      if (have || cur) out.push(cur);
      cur = '';
      have = false;
      const end = key.indexOf(']', i);
      if (end < 0) throw new Error(`invalid data path "${key}"`);
      const idx = key.slice(i + 1, end).trim();
      if (!/^\d+$/.test(idx)) throw new Error(`invalid data path "${key}": index must be a non-negative integer`);
      out.push(Number(idx));
      i = end + 1;
      if (key[i] === '.') i++;
      else if (i < n && key[i] !== '[') throw new Error(`invalid data path "${key}"`);
    } else {
      cur += c;
      have = true;
      i++;
    }
  }
  if (have || cur || out.length === 0) out.push(cur);
  return checkSegments(key, out);
}

function hasOwn(o: object, k: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Sets an own data property, also for a key such as "__proto__" that plain assignment would treat as the prototype. */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Sets value at path inside root, creating intermediates. */
export function setPath(root: Record<string, unknown>, path: Seg[], value: unknown): void {
  let cur: any = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i];
    // Only own fields are walked into: an inherited one (constructor…) is replaced.
    let next = hasOwn(cur, seg) ? cur[seg] : undefined;
    if (next === null || typeof next !== 'object') {
      next = typeof path[i + 1] === 'number' ? [] : {};
      cur[seg] = next;
    }
    cur = next;
  }
  cur[path[path.length - 1]] = value;
}

export function getPath(root: unknown, path: Seg[]): unknown {
  let cur: any = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** JSON-like copy: what crosses to the view in WeChat; functions and undefined fields dropped. */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      a[i] = typeof x === 'function' || x === undefined ? null : clone(x);
    }
    return a as T;
  }
  if (v instanceof Date) return v.toISOString() as unknown as T;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'function' || x === undefined) continue;
    setOwn(o, k, clone(x));
  }
  return o as T;
}

// ---- observers: "a, b.c", "list[*].x", "some.**", "**" ----

export type Pattern = Seg[]; // "*" matches one segment, trailing "**" any depth

export function parsePattern(expr: string): Pattern[] {
  return expr
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (s === '**') return ['**'];
      return parsePath(s.replace(/\[\*\]/g, '.*')).map((seg) => (seg === '' ? '*' : seg));
    });
}

/**
 * Whether a setData on `changed` triggers an observer on `pattern`: a change
 * at or above the observed field triggers it; a change below it only for a
 * `**` pattern.
 */
export function triggers(pattern: Pattern, changed: Seg[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '**') return true;
    if (i >= changed.length) return true; // changed an ancestor
    if (p !== '*' && String(p) !== String(changed[i])) return false;
  }
  return changed.length === pattern.length;
}

/** The value an observer receives for one pattern (`list[*].x` → list of x). */
export function patternValue(data: unknown, pattern: Pattern): unknown {
  const rec = (cur: unknown, i: number): unknown => {
    if (i >= pattern.length || pattern[i] === '**') return cur;
    const p = pattern[i];
    if (cur === null || typeof cur !== 'object') return undefined;
    if (p === '*') {
      const vals = Array.isArray(cur) ? cur : Object.values(cur);
      return vals.map((v) => rec(v, i + 1));
    }
    return rec((cur as any)[p], i + 1);
  };
  return rec(data, 0);
}
