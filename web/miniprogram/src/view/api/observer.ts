// Intersection observers for wx.createIntersectionObserver. Relative to the
// page's viewport or to an ancestor of the targets, the browser's
// IntersectionObserver does the work; relative to a node that is not an
// ancestor, the view computes the rectangles itself on every scroll and
// resize of the page (a target scrolling inside a scroll-view is then seen
// only when the page scrolls).

import type { ViewApiHost, ViewCall } from './host';

type Margins = { left: number; right: number; top: number; bottom: number };
interface ObserveReq {
  id: number;
  page: number;
  selector: string;
  observeAll: boolean;
  thresholds: number[];
  initialRatio: number;
  relativeTo: { selector?: string; viewport?: boolean; margins: Margins };
}
type Rect = { left: number; right: number; top: number; bottom: number; width: number; height: number };

/** Live observers by id: their page and how to stop them. */
const live = new Map<number, { page: number; stop: () => void }>();

/** Stops every observer of a page (it closed). */
export function disconnectPage(page: number): void {
  for (const [id, l] of live) {
    if (l.page !== page) continue;
    l.stop();
    live.delete(id);
  }
}

/** How many observers are live (for tests). */
export function liveObservers(): number {
  return live.size;
}

function rectOf(r: { left: number; top: number; right: number; bottom: number }, origin: DOMRect): Rect {
  const left = r.left - origin.left;
  const top = r.top - origin.top;
  const right = r.right - origin.left;
  const bottom = r.bottom - origin.top;
  return { left, top, right, bottom, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Whether a threshold lies between two ratios (0 means "any part visible"). */
function crossed(thresholds: number[], from: number, to: number): boolean {
  const side = (t: number, r: number) => (t === 0 ? r > 0 : r >= t);
  return thresholds.some((t) => side(t, from) !== side(t, to));
}

function observe(args: unknown[], host: ViewApiHost): unknown {
  const o = args[0] as ObserveReq;
  const p = host.page(o.page);
  if (!p) throw new Error('page not found');
  let targets: Element[];
  try {
    targets = o.observeAll ? [...p.shadow.querySelectorAll(o.selector)] : [p.shadow.querySelector(o.selector)].filter((x): x is Element => !!x);
  } catch {
    throw new Error(`invalid selector "${o.selector}"`);
  }
  if (!targets.length) throw new Error(`selector "${o.selector}" matches no node`);
  const rel = o.relativeTo.selector ? p.shadow.querySelector(o.relativeTo.selector) : null;
  if (o.relativeTo.selector && !rel) throw new Error(`relativeTo selector "${o.relativeTo.selector}" matches no node`);
  const m = o.relativeTo.margins;
  const last = new Map<Element, number>(targets.map((t) => [t, o.initialRatio]));
  const report = (t: Element, ratio: number, inter: Rect, bounds: Rect, relRect: Rect) => {
    const before = last.get(t) ?? o.initialRatio;
    last.set(t, ratio);
    if (!crossed(o.thresholds, before, ratio)) return;
    host.toLogic({
      t: 'apiEvent', name: 'intersection',
      data: { id: o.id, node: (t as Element & { __id?: number }).__id ?? -1, intersectionRatio: ratio, intersectionRect: inter, boundingClientRect: bounds, relativeRect: relRect, time: Math.round(performance.now()) },
    });
  };
  const origin = () => p.host.getBoundingClientRect();

  if (!rel || targets.every((t) => rel.contains(t))) {
    const root = (rel as HTMLElement | null) || p.host;
    const io = new IntersectionObserver(
      (entries) => {
        const o0 = origin();
        for (const e of entries) {
          const ratio = e.isIntersecting ? e.intersectionRatio : 0;
          const rb = e.rootBounds || root.getBoundingClientRect();
          report(e.target, ratio, rectOf(e.intersectionRect, o0), rectOf(e.boundingClientRect, o0), rectOf(rb, o0));
        }
      },
      { root, rootMargin: `${m.top}px ${m.right}px ${m.bottom}px ${m.left}px`, threshold: o.thresholds },
    );
    for (const t of targets) io.observe(t);
    live.set(o.id, { page: o.page, stop: () => io.disconnect() });
    return { count: targets.length };
  }

  let queued = false;
  const compute = () => {
    queued = false;
    const o0 = origin();
    const r = rel.getBoundingClientRect();
    const area = { left: r.left - m.left, top: r.top - m.top, right: r.right + m.right, bottom: r.bottom + m.bottom };
    for (const t of targets) {
      const b = t.getBoundingClientRect();
      const i = { left: Math.max(b.left, area.left), top: Math.max(b.top, area.top), right: Math.min(b.right, area.right), bottom: Math.min(b.bottom, area.bottom) };
      const w = Math.max(0, i.right - i.left);
      const h = Math.max(0, i.bottom - i.top);
      const full = b.width * b.height;
      const ratio = w > 0 && h > 0 && full > 0 ? (w * h) / full : 0;
      const inter = ratio > 0 ? rectOf(i, o0) : { left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 };
      report(t, ratio, inter, rectOf(b, o0), rectOf(area, o0));
    }
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(compute);
    }
  };
  p.host.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  schedule();
  live.set(o.id, {
    page: o.page,
    stop: () => {
      p.host.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
    },
  });
  return { count: targets.length };
}

export const observerCalls: Record<string, ViewCall> = {
  'intersection.observe': observe,
  'intersection.disconnect': (args) => {
    const id = Number(args[0]);
    live.get(id)?.stop();
    live.delete(id);
    return null;
  },
};
