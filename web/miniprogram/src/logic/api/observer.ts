// wx.createIntersectionObserver (and this.createIntersectionObserver in
// pages and components): the view observes with the browser's
// IntersectionObserver inside the page and reports crossings.
//
// View calls (src/view/api/observer.ts):
//   intersection.observe    [{id, page, selector, observeAll, thresholds, initialRatio,
//                             relativeTo: {selector?: string, viewport?: true, margins: {left, right, top, bottom}}}]
//                           → {count} (matched nodes; 0 is an error for a selector that matches nothing)
//   intersection.disconnect [id] → {}
// View event {t:"apiEvent", name:"intersection", data:{id, node, intersectionRatio,
//   intersectionRect, boundingClientRect, relativeRect, time}}: rects relative to the page's
//   viewport ({left, right, top, bottom, width, height}); node is the logic node id.

import { scopeSelector } from '../../names';
import { ApiError, callView, defineApi } from '../api';
import { currentPage, pageById, state } from '../runtime';
import { CORE, datasetOf } from '../tree';
import { onApiEvent } from './common';

type Margins = { left: number; right: number; top: number; bottom: number };

interface Watch {
  page: number;
  callback: (res: Record<string, unknown>) => void;
}

const watches = new Map<number, Watch>();
let nextWatch = 0;

// A page's observers end with it (the view drops its side when the page closes).
state.pageUnloadListeners.push((page) => {
  for (const [id, w] of watches) if (w.page === page.id) watches.delete(id);
});

onApiEvent('intersection', (d: Record<string, any>) => {
  const w = watches.get(Number(d && d.id));
  if (!w) return;
  const node = pageById(w.page)?.nodes.get(Number(d.node));
  const attrs = node ? node.attrs : {};
  w.callback({
    id: String(attrs.id ?? ''), dataset: datasetOf(attrs), intersectionRatio: d.intersectionRatio,
    intersectionRect: d.intersectionRect, boundingClientRect: d.boundingClientRect, relativeRect: d.relativeRect, time: d.time,
  });
});

function margins(m: unknown): Margins {
  const o = (m && typeof m === 'object' ? m : {}) as Record<string, unknown>;
  const n = (k: string) => Number(o[k]) || 0;
  return { left: n('left'), right: n('right'), top: n('top'), bottom: n('bottom') };
}

interface Core {
  page?: { id: number };
  scope?: string;
  classMode?: string;
}

class IntersectionObserver {
  private relative: { selector?: string; viewport?: true; margins: Margins } = { viewport: true, margins: margins(null) };
  private ids: number[] = [];
  private thresholds: number[];
  private initialRatio: number;
  private observeAll: boolean;
  private pageId: number;
  constructor(private core: Core | null, o: Record<string, unknown>) {
    const t = Array.isArray(o.thresholds) ? o.thresholds.map(Number).filter((x) => x >= 0 && x <= 1) : [0];
    this.thresholds = t.length ? t : [0];
    this.initialRatio = Number(o.initialRatio) || 0;
    this.observeAll = !!o.observeAll;
    const page = core?.page?.id ?? currentPage()?.id;
    if (page === undefined) throw new Error('createIntersectionObserver: no page');
    this.pageId = page;
  }

  /** Class selectors in a component's template carry its style scope. */
  private scoped(sel: string): string {
    const c = this.core;
    return c ? scopeSelector(sel, c.scope, c.classMode) : sel;
  }

  relativeTo(selector: string, m?: unknown) {
    this.relative = { selector: this.scoped(String(selector)), margins: margins(m) };
    return this;
  }

  relativeToViewport(m?: unknown) {
    this.relative = { viewport: true, margins: margins(m) };
    return this;
  }

  observe(selector: string, callback: (res: Record<string, unknown>) => void) {
    if (typeof callback !== 'function') throw new ApiError('IntersectionObserver.observe: callback should be a Function');
    const id = ++nextWatch;
    this.ids.push(id);
    watches.set(id, { page: this.pageId, callback });
    callView('intersection.observe', {
      id, page: this.pageId, selector: this.scoped(String(selector)), observeAll: this.observeAll,
      thresholds: this.thresholds, initialRatio: this.initialRatio, relativeTo: this.relative,
    }).catch((e) => console.error(`IntersectionObserver.observe("${selector}"):`, e instanceof Error ? e.message : e));
  }

  disconnect() {
    for (const id of this.ids.splice(0)) {
      watches.delete(id);
      callView('intersection.disconnect', id).catch(() => {});
    }
  }
}

defineApi('createIntersectionObserver', (component?: unknown, options?: unknown) => {
  let comp = component as Record<symbol, unknown> | undefined;
  let opts = options;
  // createIntersectionObserver(options) without a component.
  if (comp && typeof comp === 'object' && !(CORE in comp)) {
    opts = comp;
    comp = undefined;
  }
  const core = comp ? (comp[CORE] as Core) : null;
  return new IntersectionObserver(core, (opts && typeof opts === 'object' ? opts : {}) as Record<string, unknown>);
});
