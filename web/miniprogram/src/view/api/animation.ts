// The `animation` attribute: plays the steps of a wx.createAnimation()
// export as CSS transitions, one step after the other. Each step sets the
// transform of its own transform functions and its styles; a new export
// given to the same node replaces the steps still waiting.

interface Step {
  animates: Array<{ type: string; args: unknown[] }>;
  option: { transformOrigin?: string; transition?: { duration?: number; timingFunction?: string; delay?: number } };
}

const LENGTH = new Set(['translate', 'translateX', 'translateY', 'translateZ', 'translate3d']);
const ANGLE = new Set(['rotate', 'rotateX', 'rotateY', 'rotateZ', 'skew', 'skewX', 'skewY']);

function unit(type: string, v: unknown, i: number, n: number): string {
  if (typeof v !== 'number') return String(v);
  if (LENGTH.has(type)) return v + 'px';
  if (ANGLE.has(type) || (type === 'rotate3d' && i === n - 1)) return v + 'deg';
  return String(v);
}

function transformOf(step: Step): string {
  return step.animates
    .filter((a) => a.type !== 'style')
    .map((a) => `${a.type}(${a.args.map((v, i) => unit(a.type, v, i, a.args.length)).join(',')})`)
    .join(' ');
}

const running = new WeakMap<HTMLElement, { timer: number }>();

export function applyAnimation(el: HTMLElement, value: unknown): void {
  const prev = running.get(el);
  if (prev) clearTimeout(prev.timer);
  running.delete(el);
  const actions = value && typeof value === 'object' ? (value as { actions?: Step[] }).actions : undefined;
  if (!Array.isArray(actions) || !actions.length) return;
  const state = { timer: 0 };
  running.set(el, state);
  let i = 0;
  const next = () => {
    if (running.get(el) !== state || i >= actions.length) return;
    const step = actions[i++];
    const tr = step.option?.transition || {};
    const duration = Number(tr.duration ?? 400);
    const delay = Number(tr.delay ?? 0);
    const styles = step.animates.filter((a) => a.type === 'style');
    const props = ['transform', ...styles.map((a) => String(a.args[0]))];
    el.style.transition = props.map((p) => `${p} ${duration}ms ${tr.timingFunction || 'linear'} ${delay}ms`).join(',');
    el.style.transformOrigin = step.option?.transformOrigin || '50% 50% 0';
    const t = transformOf(step);
    if (t) el.style.transform = t;
    for (const a of styles) el.style.setProperty(String(a.args[0]), String(a.args[1]));
    // transitionend does not fire for unchanged values: time the step instead.
    state.timer = window.setTimeout(next, duration + delay);
  };
  // Let the node's current styles apply first so the first step transitions from them.
  requestAnimationFrame(() => requestAnimationFrame(next));
}
