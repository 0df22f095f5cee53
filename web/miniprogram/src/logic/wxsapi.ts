// WXS event-response functions (`bindtap="{{m.onTap}}"`): the logic layer
// calls them with (event, ownerInstance), both in WXS's view of objects
// (every key under its nv_ name, as the WXML compiler rewrites WXS code).
//
// Partial: WeChat runs these in the view thread for smooth touch
// feedback; here they run in the logic layer like any handler. The
// ComponentDescriptor offers callMethod, selectComponent,
// selectAllComponents, getDataset, getState, triggerEvent, setStyle,
// addClass, removeClass, hasClass and requestAnimationFrame;
// selectComponent finds custom components only, getComputedStyle and
// getBoundingClientRect are not offered.

import { datasetOf, refreshNode, resolveClasses, selectHosts, type Inst, type LNode } from './tree';

const NV = 'nv_';

/** A plain object, from this realm or another (an event detail arrives by structured clone). */
function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A JS value as WXS sees it: plain objects' keys gain the nv_ prefix. */
export function toWXS(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toWXS);
  if (isPlain(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[NV + k] = toWXS((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** A WXS value as JS sees it: the nv_ prefix dropped from plain objects' keys; functions are not passed. */
export function fromWXS(v: unknown): unknown {
  if (typeof v === 'function') return undefined;
  if (Array.isArray(v)) return v.map(fromWXS);
  if (isPlain(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k.startsWith(NV) ? k.slice(NV.length) : k] = fromWXS((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

const states = new WeakMap<object, Record<string, unknown>>();

function cssText(style: unknown): string {
  if (typeof style === 'string') return style;
  const o = fromWXS(style);
  if (!o || typeof o !== 'object') return '';
  return Object.entries(o as Record<string, unknown>)
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}:${v}`)
    .join(';');
}

/**
 * A ComponentDescriptor: of node `n` of `inst`'s template, or (n null) of
 * `inst` itself, whose element is its host.
 */
export function wxsDescriptor(inst: Inst, n: LNode | null): Record<string, unknown> {
  const node = n || inst.host;
  const key: object = n || inst;
  const look = () => (node!.wxs ||= { classes: [], style: '' });
  const classesOf = (names: unknown[]) =>
    names.flatMap((c) => resolveClasses(node!.owner, String(c)).split(/\s+/)).filter(Boolean);
  const d: Record<string, unknown> = {
    nv_callMethod(name: unknown, args?: unknown) {
      const f = inst.pub[String(name)];
      if (typeof f !== 'function') {
        console.warn(`WXS callMethod: "${inst.def.is}" has no method "${String(name)}"`);
        return undefined;
      }
      return toWXS(f.call(inst.pub, fromWXS(args)));
    },
    nv_selectComponent(selector: unknown) {
      const found = selectHosts(inst, String(selector), true)[0];
      return found ? wxsDescriptor(found, null) : null;
    },
    nv_selectAllComponents(selector: unknown) {
      return selectHosts(inst, String(selector), false).map((c) => wxsDescriptor(c, null));
    },
    nv_getDataset() {
      return toWXS(node ? datasetOf(node.attrs) : {});
    },
    nv_getState() {
      let s = states.get(key);
      if (!s) states.set(key, (s = {}));
      return s;
    },
    nv_triggerEvent(name: unknown, detail?: unknown) {
      const f = inst.pub.triggerEvent;
      if (typeof f === 'function') f.call(inst.pub, String(name), fromWXS(detail));
    },
    nv_setStyle(style: unknown) {
      if (!node) return d;
      look().style = cssText(style);
      refreshNode(node);
      return d;
    },
    nv_addClass(...names: unknown[]) {
      if (!node) return d;
      const l = look();
      for (const c of classesOf(names)) if (!l.classes.includes(c)) l.classes.push(c);
      refreshNode(node);
      return d;
    },
    nv_removeClass(...names: unknown[]) {
      if (!node || !node.wxs) return d;
      const drop = classesOf(names);
      node.wxs.classes = node.wxs.classes.filter((c) => !drop.includes(c));
      refreshNode(node);
      return d;
    },
    nv_hasClass(name: unknown) {
      if (!node) return false;
      const have = String(node.sent.class ?? '').split(/\s+/);
      return classesOf([name]).every((c) => have.includes(c));
    },
    nv_requestAnimationFrame(fn: unknown) {
      if (typeof fn === 'function') setTimeout(() => fn(), 16);
    },
  };
  return d;
}
