// Canonical JSON form of a rendered WXML tree, shared by the oracle (wcc)
// and our runner so both sides are compared in the same encoding. JSON alone
// would fold NaN, ±Infinity, -0 and undefined into null or nothing, and those
// are exactly the values WXML expressions produce at their edges, so they are
// spelled as {"$": "NaN"} and so on.
'use strict';

function canonValue(v, seen) {
  if (v === undefined) return { $: 'undefined' };
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return { $: 'NaN' };
      if (v === Infinity) return { $: 'Infinity' };
      if (v === -Infinity) return { $: '-Infinity' };
      if (Object.is(v, -0)) return { $: '-0' };
      return v;
    case 'string':
    case 'boolean':
      return v;
    case 'function':
      return { $: 'function' };
    case 'bigint':
    case 'symbol':
      return { $: typeof v };
  }
  if (seen.has(v)) return { $: 'cycle' };
  seen.add(v);
  let out;
  if (Array.isArray(v)) {
    out = v.map((x) => canonValue(x, seen));
  } else if (v instanceof Date) {
    out = { $: 'Date', value: String(v) };
  } else if (v instanceof RegExp) {
    out = { $: 'RegExp', value: String(v) };
  } else {
    out = {};
    for (const k of Object.keys(v).sort()) out[k] = canonValue(v[k], seen);
  }
  seen.delete(v);
  return out;
}

// canonNode turns one node into {tag, attr, children} plus whatever else the
// node carries. wcc adds empty "raw" and "generics" objects to every element;
// those are noise and dropped, a non-empty one is kept so it shows in a diff.
// tagPrefix is prepended to our tags (we emit "view", wcc "wx-view"); our
// "key" field is dropped (the contract keeps it out of the comparison).
function canonNode(n, ours) {
  if (typeof n === 'string') return n;
  if (n === null || typeof n !== 'object' || typeof n.tag !== 'string') {
    return { $: 'not-a-node', value: canonValue(n, new Set()) };
  }
  const out = { tag: ours ? 'wx-' + n.tag : n.tag };
  out.attr = canonValue(n.attr === undefined ? {} : n.attr, new Set());
  out.children = Array.isArray(n.children) ? n.children.map((c) => canonNode(c, ours)) : canonValue(n.children, new Set());
  for (const k of Object.keys(n).sort()) {
    if (k === 'tag' || k === 'attr' || k === 'children') continue;
    if (ours && k === 'key') continue;
    const v = n[k];
    if ((k === 'raw' || k === 'generics') && v && typeof v === 'object' && Object.keys(v).length === 0) continue;
    if (v === undefined) continue;
    out[k] = canonValue(v, new Set());
  }
  return out;
}

function canonTree(nodes, ours) {
  if (!Array.isArray(nodes)) return { $: 'not-a-list', value: canonValue(nodes, new Set()) };
  return nodes.map((n) => canonNode(n, ours));
}

module.exports = { canonTree, canonValue };
