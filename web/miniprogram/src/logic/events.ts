// Event dispatch on the logic tree, WeChat's rules: a capture phase from the
// root down (capture-bind, capture-catch), then a bubble phase up from the
// target (bind, catch, mut-bind) for bubbling events; an event that is not
// composed stays in the template (shadow tree) of its target; handlers are
// methods of the instance whose template wrote the listener; target is
// retargeted to the host seen from the listener's template.

import { wxsDescriptor, fromWXS, toWXS } from './wxsapi';
import { composedParent, datasetOf, marksOf, modelPath, modelProps, reportError, typeMatches, type Inst, type LNode } from './tree';

/** Built-in events that bubble (everything else fires on its target only). */
const BUBBLING = new Set([
  'tap', 'longpress', 'longtap', 'touchstart', 'touchmove', 'touchend', 'touchcancel', 'touchforcechange',
  'transitionend', 'animationstart', 'animationiteration', 'animationend',
]);

export interface EventInit {
  type: string;
  detail: unknown;
  bubbles: boolean;
  composed: boolean;
  capturePhase: boolean;
  touches?: unknown[];
  changedTouches?: unknown[];
  timeStamp?: number;
  offset?: { offsetLeft: number; offsetTop: number };
}

function targetInfo(n: LNode, offset?: { offsetLeft: number; offsetTop: number }): Record<string, unknown> {
  return {
    id: String(n.attrs.id ?? ''),
    dataset: datasetOf(n.attrs),
    offsetLeft: offset ? offset.offsetLeft : 0,
    offsetTop: offset ? offset.offsetTop : 0,
  };
}

/** The target as seen from a listener in `owner`'s template: the host it is inside of. */
function retarget(target: LNode, owner: Inst): LNode {
  let t: LNode | null = target;
  while (t && t.owner !== owner) t = t.owner.host;
  return t || target;
}

/** Whether instance `inner` is `outer` or inside its template (for marks). */
function inside(inner: Inst, outer: Inst): boolean {
  let i: Inst | null = inner;
  while (i) {
    if (i === outer) return true;
    i = i.host ? i.host.owner : null;
  }
  return false;
}

/** Dispatches an event whose target is node. Returns whether any handler ran. */
export function dispatch(target: LNode, init: EventInit): boolean {
  // The composed path, target first.
  const path: LNode[] = [];
  for (let n: LNode | null = target; n; n = composedParent(n)) {
    if (!init.composed && n.owner !== target.owner) continue;
    path.push(n);
  }
  const ts = init.timeStamp ?? Date.now();
  let stopped = false;
  let mutated = false;
  let ran = false;
  const eventFor = (n: LNode, owner: Inst): Record<string, unknown> => {
    const marks: Record<string, unknown> = {};
    for (let i = path.length - 1; i >= 0; i--) {
      const m = marksOf(path[i].attrs);
      if (m && inside(path[i].owner, owner)) Object.assign(marks, m);
    }
    const ev: Record<string, unknown> = {
      type: init.type,
      timeStamp: ts,
      target: targetInfo(retarget(target, owner), init.offset),
      currentTarget: targetInfo(n),
      mark: marks,
      detail: init.detail,
    };
    if (init.touches) ev.touches = init.touches;
    if (init.changedTouches) ev.changedTouches = init.changedTouches;
    return ev;
  };
  const callWXS = (f: Function, n: LNode, ev: Record<string, unknown>): unknown => {
    // WXS sees every field under its nv_ name; event.instance is the listening node.
    const wev = toWXS(ev) as Record<string, unknown>;
    wev.nv_instance = wxsDescriptor(n.owner, n);
    try {
      return fromWXS(f(wev, wxsDescriptor(n.owner, null)));
    } catch (e) {
      reportError(`${n.owner.def.is}: WXS event handler for "${init.type}"`, e);
      return undefined;
    }
  };
  const fire = (n: LNode, capture: boolean) => {
    let stop = false;
    for (const l of n.listeners) {
      if (l.capture !== capture || !typeMatches(l.type, init.type)) continue;
      if (l.mode === 'catch') stop = true;
      if (l.mode === 'mut-bind') {
        if (mutated) continue;
        mutated = true;
      }
      const name = l.handler;
      const owner = n.owner;
      if (typeof name === 'function') {
        // A WXS event-response function: (event, ownerInstance); false stops the event.
        ran = true;
        if (callWXS(name, n, eventFor(n, owner)) === false) stop = true;
        continue;
      }
      if (typeof name !== 'string' || !name) continue;
      const f = owner.pub[name];
      if (typeof f !== 'function') {
        console.warn(`Component "${owner.def.is}" does not have a method "${name}" to handle event "${init.type}".`);
        continue;
      }
      const ev = eventFor(n, owner);
      ran = true;
      try {
        f.call(owner.pub, ev);
      } catch (e) {
        reportError(`${owner.def.is}: event handler "${name}"`, e);
      }
    }
    if (stop) stopped = true;
  };
  if (init.capturePhase) {
    for (let i = path.length - 1; i >= 0 && !stopped; i--) fire(path[i], true);
  }
  if (!stopped) {
    if (init.bubbles) {
      for (let i = 0; i < path.length && !stopped; i++) fire(path[i], false);
    } else {
      fire(target, false);
    }
  }
  return ran;
}

/**
 * Whether a user's tap is being dispatched right now. WeChat shows some
 * sheets (wx.requestSubscribeMessage) only for a call made synchronously
 * inside a tap handler; a call after a timer or a network answer fails.
 */
let userTapDepth = 0;
export function inUserTap(): boolean {
  return userTapDepth > 0;
}

/** A DOM or widget event the view reported at node. Returns whether any handler ran. */
export function dispatchViewEvent(target: LNode, type: string, detail: Record<string, unknown>, extra: Partial<EventInit>): boolean {
  // model:prop on a built-in: the widget's new value goes to the owner's
  // data first (detail[prop], else detail.value: <switch model:checked>
  // reports {value}), then the event is dispatched.
  if ((type === 'input' || type === 'change') && detail && typeof detail === 'object') {
    const out: Record<string, unknown> = {};
    for (const prop of modelProps(target)) {
      const v = prop in detail ? detail[prop] : detail.value;
      if (v === undefined) continue;
      const path = modelPath(target, prop);
      if (path !== null) out[path] = v;
    }
    if (Object.keys(out).length) target.owner.setData(out);
  }
  const tap = type === 'tap';
  if (tap) userTapDepth++;
  try {
    return dispatch(target, {
      type,
      detail,
      bubbles: BUBBLING.has(type),
      composed: true,
      capturePhase: true,
      ...extra,
    });
  } finally {
    if (tap) userTapDepth--;
  }
}
