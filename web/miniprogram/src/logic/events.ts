// Event dispatch on the logic tree, WeChat's rules: a capture phase from the
// root down (capture-bind, capture-catch), then a bubble phase up from the
// target (bind, catch, mut-bind) for bubbling events; an event that is not
// composed stays in the template (shadow tree) of its target; handlers are
// methods of the instance whose template wrote the listener; target is
// retargeted to the host seen from the listener's template.

import { setPath } from './datapath';
import { composedParent, datasetOf, marksOf, modelPath, reportError, type Inst, type LNode } from './tree';

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
  const fire = (n: LNode, capture: boolean) => {
    let stop = false;
    for (const l of n.listeners) {
      if (l.type !== init.type || l.capture !== capture) continue;
      if (l.mode === 'catch') stop = true;
      if (l.mode === 'mut-bind') {
        if (mutated) continue;
        mutated = true;
      }
      const name = l.handler;
      if (typeof name !== 'string' || !name) continue;
      const owner = n.owner;
      const f = owner.pub[name];
      if (typeof f !== 'function') {
        console.warn(`Component "${owner.def.is}" does not have a method "${name}" to handle event "${init.type}".`);
        continue;
      }
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

/** A DOM or widget event the view reported at node. */
export function dispatchViewEvent(target: LNode, type: string, detail: Record<string, unknown>, extra: Partial<EventInit>): void {
  // model:value (and any model:prop) on a built-in: write the value back first.
  if ((type === 'input' || type === 'change') && detail && 'value' in detail) {
    for (const k of Object.keys(target.attrs)) {
      if (!k.startsWith('model:')) continue;
      const prop = k.slice(6);
      const path = modelPath(target.attrs, prop);
      if (path && prop === 'value') {
        const owner = target.owner;
        const obj: Record<string, unknown> = {};
        setPath(obj, [pathKey(path)], detail.value);
        owner.setData(obj);
      }
    }
  }
  dispatch(target, {
    type,
    detail,
    bubbles: BUBBLING.has(type),
    composed: true,
    capturePhase: true,
    ...extra,
  });
}

function pathKey(path: Array<string | number>): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : (s ? '.' : '') + seg.replace(/[.[\]\\]/g, '\\$&');
  return s;
}
