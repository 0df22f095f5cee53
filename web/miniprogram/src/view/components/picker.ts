// picker (bottom sheet in ctx.overlay()), picker-view, picker-view-column.
// Every wheel is a native scroll container with scroll snapping, so touch,
// wheel and keyboard scrolling all work; mouse dragging is added by hand.

import { defineWidget } from "../widget";
import type { WidgetContext } from "../widget";
import { afterChildren, clamp, controlOf, h, reactive, setControl, setFieldName } from "./util";
import { REGIONS } from "./region";

/** A scroll-snapped wheel of equal-height rows; reports the row that settles in the middle. */
export class Wheel {
  index = 0;
  private timer = 0;
  private moving = false;
  /** scrollTop of the last programmatic move: its scroll event is not a user pick. */
  private placed = -1;
  private drag: { y: number; top: number; id: number } | null = null;

  constructor(
    readonly scroller: HTMLElement,
    private readonly rowHeight: () => number,
    private readonly count: () => number,
    private readonly onPick: (i: number) => void,
    private readonly onStart: () => void = () => {},
    private readonly onEnd: () => void = () => {},
  ) {
    scroller.addEventListener("scroll", this.onScroll, { passive: true });
    scroller.addEventListener("pointerdown", this.onDown);
    scroller.addEventListener("pointermove", this.onMove);
    scroller.addEventListener("pointerup", this.onUp);
    scroller.addEventListener("pointercancel", this.onUp);
  }

  /** Moves to row i without reporting it (the value came from outside). */
  setIndex(i: number): void {
    const n = this.count();
    this.index = clamp(Math.round(i), 0, Math.max(0, n - 1));
    this.placed = this.index * this.rowHeight();
    this.scroller.scrollTop = this.placed;
  }

  private onScroll = () => {
    if (!this.drag && !this.moving && Math.abs(this.scroller.scrollTop - this.placed) < 1) return;
    this.placed = -1;
    if (!this.moving) {
      this.moving = true;
      this.onStart();
    }
    clearTimeout(this.timer);
    this.timer = window.setTimeout(this.settle, 120);
  };

  private settle = () => {
    if (this.drag) return;
    this.moving = false;
    const rh = this.rowHeight();
    if (!rh) return;
    const i = clamp(Math.round(this.scroller.scrollTop / rh), 0, Math.max(0, this.count() - 1));
    if (Math.abs(this.scroller.scrollTop - i * rh) > 1) this.scroller.scrollTo({ top: i * rh, behavior: "smooth" });
    if (i !== this.index) {
      this.index = i;
      this.onPick(i);
    }
    this.onEnd();
  };

  private onDown = (e: PointerEvent) => {
    if (e.pointerType !== "mouse" || e.button !== 0) return;
    this.drag = { y: e.clientY, top: this.scroller.scrollTop, id: e.pointerId };
    this.scroller.style.scrollSnapType = "none";
    this.scroller.setPointerCapture?.(e.pointerId);
    e.preventDefault();
  };
  private onMove = (e: PointerEvent) => {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    this.scroller.scrollTop = this.drag.top - (e.clientY - this.drag.y);
  };
  private onUp = (e: PointerEvent) => {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    this.drag = null;
    this.scroller.style.scrollSnapType = "";
    clearTimeout(this.timer);
    this.timer = window.setTimeout(this.settle, 30);
  };
}

// ---- the bottom sheet -----------------------------------------------------------

const ROW = 34;
const ROWS = 7;

interface Sheet {
  setColumn(c: number, labels: string[], index: number): void;
  setColumnCount(n: number): void;
  indexes(): number[];
  close(): void;
  root: HTMLElement;
}

function openSheet(
  overlay: HTMLElement,
  title: string,
  columns: string[][],
  indexes: number[],
  on: { column(c: number, i: number): void; confirm(indexes: number[]): void; cancel(): void },
): Sheet {
  const root = h("div", "wx-picker-root", overlay);
  const mask = h("div", "wx-picker-mask", root);
  const panel = h("div", "wx-picker-sheet", root);
  const header = h("div", "wx-picker-header", panel);
  const cancel = h("button", "wx-picker-action wx-picker-cancel", header);
  cancel.type = "button";
  cancel.textContent = "取消";
  h("div", "wx-picker-title", header).textContent = title;
  const confirm = h("button", "wx-picker-action wx-picker-confirm", header);
  confirm.type = "button";
  confirm.textContent = "确定";
  const body = h("div", "wx-picker-body", panel);
  body.style.height = `${ROW * ROWS}px`;
  const wheels: { wheel: Wheel; labels: string[]; col: HTMLElement }[] = [];
  h("div", "wx-picker-indicator", body).style.top = `${(ROW * (ROWS - 1)) / 2}px`;
  h("div", "wx-picker-mask-gradient", body);

  const addColumn = () => {
    const col = h("div", "wx-picker-column", body);
    col.style.paddingTop = col.style.paddingBottom = `${(ROW * (ROWS - 1)) / 2}px`;
    col.style.scrollPaddingTop = `${(ROW * (ROWS - 1)) / 2}px`;
    const entry = { labels: [] as string[], col, wheel: null as unknown as Wheel };
    const c = wheels.length;
    entry.wheel = new Wheel(col, () => ROW, () => entry.labels.length, (i) => on.column(c, i));
    wheels.push(entry);
  };
  const sheet: Sheet = {
    root,
    setColumn(c, labels, index) {
      while (wheels.length <= c) addColumn();
      const w = wheels[c];
      w.labels = labels;
      w.col.textContent = "";
      for (const l of labels) {
        const item = h("div", "wx-picker-item", w.col);
        item.textContent = l;
        item.style.height = `${ROW}px`;
      }
      w.wheel.setIndex(index);
    },
    setColumnCount(n) {
      while (wheels.length > n) wheels.pop()?.col.remove();
    },
    indexes: () => wheels.map((w) => w.wheel.index),
    close() {
      root.classList.remove("wx-picker-open");
      // The slide-down transition runs, then the sheet goes away.
      setTimeout(() => root.remove(), 250);
    },
  };
  columns.forEach((labels, c) => sheet.setColumn(c, labels, indexes[c] ?? 0));
  requestAnimationFrame(() => root.classList.add("wx-picker-open"));

  let done = false;
  const finish = (ok: boolean) => {
    if (done) return;
    done = true;
    if (ok) on.confirm(sheet.indexes());
    else on.cancel();
    sheet.close();
  };
  mask.addEventListener("click", () => finish(false));
  cancel.addEventListener("click", () => finish(false));
  confirm.addEventListener("click", () => finish(true));
  return sheet;
}

// ---- picker -----------------------------------------------------------------

const pad2 = (n: number) => String(n).padStart(2, "0");

interface Mode {
  columns(): string[][];
  indexes(): number[];
  column?(c: number, i: number, sheet: Sheet): void;
  /** the change detail and the picker's new value */
  result(indexes: number[]): { detail: Record<string, unknown>; value: unknown };
}

function labelOf(item: unknown, key: string): string {
  if (key && item && typeof item === "object") return String((item as Record<string, unknown>)[key] ?? "");
  return item === null || item === undefined ? "" : String(item);
}

function parseHM(s: string, def: [number, number]): [number, number] {
  const m = /^(\d{1,2}):(\d{1,2})/.exec(s);
  return m ? [clamp(+m[1], 0, 23), clamp(+m[2], 0, 59)] : def;
}

function parseYMD(s: string, def: [number, number, number]): [number, number, number] {
  const m = /^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?/.exec(s);
  return m ? [+m[1], m[2] ? clamp(+m[2], 1, 12) : 1, m[3] ? clamp(+m[3], 1, 31) : 1] : def;
}

const daysIn = (y: number, m: number) => new Date(y, m, 0).getDate();

defineWidget("picker", (ctx) => {
  const el = ctx.el;
  let sheet: Sheet | null = null;
  let current: unknown;

  const mode = () => r.props.str("mode", "selector");
  const initial = (): unknown => {
    const v = r.props.raw("value");
    switch (mode()) {
      case "multiSelector":
        return Array.isArray(v) ? v.map((x) => Number(x) || 0) : [];
      case "time":
      case "date":
        return v === undefined ? "" : String(v);
      case "region":
        return Array.isArray(v) ? v.map(String) : [];
      default:
        return Number(v) || 0;
    }
  };

  const model = (): Mode => {
    const p = r.props;
    const m = mode();
    if (m === "multiSelector") {
      const range = () => (Array.isArray(p.raw("range")) ? (p.raw("range") as unknown[]) : []);
      const cols = () => range().map((col) => (Array.isArray(col) ? col.map((x) => labelOf(x, p.str("rangeKey"))) : []));
      return {
        columns: cols,
        indexes: () => cols().map((_, c) => Number((current as number[])[c]) || 0),
        column: (c, i) => ctx.emit("columnchange", { column: c, value: i }),
        result: (ix) => ({ detail: { value: ix }, value: ix }),
      };
    }
    if (m === "time") {
      const [sh, sm] = parseHM(p.str("start"), [0, 0]);
      const [eh, em] = parseHM(p.str("end"), [23, 59]);
      const hours = Array.from({ length: Math.max(1, eh - sh + 1) }, (_, i) => pad2(sh + i));
      const mins = Array.from({ length: 60 }, (_, i) => pad2(i));
      const now = new Date();
      const [vh, vm] = parseHM(String(current ?? ""), [now.getHours(), now.getMinutes()]);
      return {
        columns: () => [hours, mins],
        indexes: () => [clamp(vh - sh, 0, hours.length - 1), vm],
        result: (ix) => {
          let hm = `${hours[ix[0]]}:${mins[ix[1]]}`;
          const lo = `${pad2(sh)}:${pad2(sm)}`;
          const hi = `${pad2(eh)}:${pad2(em)}`;
          hm = hm < lo ? lo : hm > hi ? hi : hm;
          return { detail: { value: hm }, value: hm };
        },
      };
    }
    if (m === "date") {
      const fields = p.str("fields", "day");
      const n = fields === "year" ? 1 : fields === "month" ? 2 : 3;
      const start = parseYMD(p.str("start"), [1900, 1, 1]);
      const end = parseYMD(p.str("end"), [2100, 12, 31]);
      const now = new Date();
      const v = parseYMD(String(current ?? ""), [now.getFullYear(), now.getMonth() + 1, now.getDate()]);
      const years = Array.from({ length: Math.max(1, end[0] - start[0] + 1) }, (_, i) => start[0] + i);
      const yi = clamp(v[0] - start[0], 0, years.length - 1);
      const dayLabels = (y: number, mo: number) => Array.from({ length: daysIn(y, mo) }, (_, i) => `${i + 1}日`);
      const monthLabels = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
      const cols = [years.map((y) => `${y}年`), monthLabels, dayLabels(years[yi], v[1])].slice(0, n);
      return {
        columns: () => cols,
        indexes: () => [yi, v[1] - 1, Math.min(v[2], daysIn(years[yi], v[1])) - 1].slice(0, n),
        column: (c, _i, s) => {
          if (n < 3 || c === 2) return;
          const ix = s.indexes();
          const y = years[ix[0]];
          const mo = ix[1] + 1;
          s.setColumn(2, dayLabels(y, mo), Math.min(ix[2], daysIn(y, mo) - 1));
        },
        result: (ix) => {
          const parts = [String(years[ix[0]]), pad2((ix[1] ?? 0) + 1), pad2((ix[2] ?? 0) + 1)].slice(0, n);
          let value = parts.join("-");
          const lo = [String(start[0]), pad2(start[1]), pad2(start[2])].slice(0, n).join("-");
          const hi = [String(end[0]), pad2(end[1]), pad2(end[2])].slice(0, n).join("-");
          value = value < lo ? lo : value > hi ? hi : value;
          return { detail: { value }, value };
        },
      };
    }
    if (m === "region") {
      const custom = p.str("customItem");
      const level = p.str("level", "region");
      const depth = level === "province" ? 1 : level === "city" ? 2 : 3;
      const off = custom ? 1 : 0;
      const withCustom = (names: string[]) => (custom ? [custom, ...names] : names);
      // The entries of each column for the chosen rows above it (null = the custom item).
      const entries = (ix: number[]) => {
        const prov = ix[0] >= off ? REGIONS[ix[0] - off] : null;
        const cities = prov ? prov[2] : [];
        const city = prov && ix[1] >= off ? cities[ix[1] - off] ?? null : null;
        const districts = city ? city[2] : [];
        const dist = city && ix[2] >= off ? districts[ix[2] - off] ?? null : null;
        return { prov, cities, city, districts, dist };
      };
      const labelsFor = (ix: number[]) => {
        const e = entries(ix);
        return [
          withCustom(REGIONS.map((x) => x[0])),
          e.prov ? withCustom(e.cities.map((x) => x[0])) : withCustom([]),
          e.city ? withCustom(e.districts.map((x) => x[0])) : withCustom([]),
        ].slice(0, depth);
      };
      const v = (current as string[]) ?? [];
      const find = (names: string[], name: string | undefined) => {
        const i = name === undefined ? -1 : names.indexOf(name);
        return i < 0 ? 0 : i;
      };
      const start: number[] = [];
      start[0] = find(labelsFor([0, 0, 0])[0], v[0]);
      start[1] = depth > 1 ? find(labelsFor([start[0], 0, 0])[1], v[1]) : 0;
      start[2] = depth > 2 ? find(labelsFor([start[0], start[1], 0])[2], v[2]) : 0;
      return {
        columns: () => labelsFor(start),
        indexes: () => start.slice(0, depth),
        column: (c, _i, s) => {
          const ix = s.indexes();
          for (let k = c + 1; k < depth; k++) ix[k] = 0;
          const labels = labelsFor(ix);
          for (let k = c + 1; k < depth; k++) s.setColumn(k, labels[k], 0);
        },
        result: (ix) => {
          const e = entries(ix);
          const chosen = [e.prov, e.city, e.dist].slice(0, depth);
          const value = chosen.map((x) => (x ? x[0] : custom));
          const code = chosen.map((x) => (x ? x[1] : ""));
          const postcode = depth === 3 && e.dist ? e.dist[2] : "";
          return { detail: { value, code, postcode }, value };
        },
      };
    }
    const range = Array.isArray(p.raw("range")) ? (p.raw("range") as unknown[]) : [];
    const labels = range.map((x) => labelOf(x, p.str("rangeKey")));
    return {
      columns: () => [labels],
      indexes: () => [clamp(Number(current) || 0, 0, Math.max(0, labels.length - 1))],
      result: (ix) => ({ detail: { value: ix[0] }, value: ix[0] }),
    };
  };

  const open = () => {
    if (sheet || r.props.bool("disabled")) return;
    const m = model();
    let liveModel = m;
    sheet = openSheet(ctx.overlay(), r.props.str("headerText"), m.columns(), m.indexes(), {
      column: (c, i) => sheet && liveModel.column?.(c, i, sheet),
      confirm: (ix) => {
        const { detail, value } = liveModel.result(ix);
        current = value;
        sheet = null;
        ctx.emit("change", detail);
      },
      cancel: () => {
        sheet = null;
        ctx.emit("cancel", {});
      },
    });
    // multiSelector apps rewrite `range` from columnchange while the sheet is open.
    refreshOpen = () => {
      if (!sheet || mode() !== "multiSelector") return;
      const keep = sheet.indexes();
      liveModel = model();
      const cols = liveModel.columns();
      sheet.setColumnCount(cols.length);
      cols.forEach((labels, c) => sheet?.setColumn(c, labels, Math.min(keep[c] ?? 0, Math.max(0, labels.length - 1))));
    };
  };
  let refreshOpen = () => {};

  const r = reactive(ctx, (name) => {
    if (name === "value" || name === "mode") current = initial();
    if (name === "name") setFieldName(el, r.props);
    if (name === "range" || name === "rangeKey") refreshOpen();
    if (name === "disabled") el.toggleAttribute("disabled", r.props.bool("disabled"));
  });
  current = initial();
  setFieldName(el, r.props);
  el.addEventListener("click", open);
  setControl(el, { activate: open });
  return {
    update: r.update,
    formValue: () => current,
    reset() {
      current = initial();
    },
    destroy() {
      sheet?.root.remove();
      el.removeEventListener("click", open);
    },
  };
});

// ---- picker-view ---------------------------------------------------------------

/** Row height of a picker-view: the indicator's height, else the first item's, else 34. */
function rowHeightOf(view: HTMLElement): number {
  const ind = view.querySelector<HTMLElement>(":scope > .wx-picker-view-indicator");
  const fromIndicator = ind?.offsetHeight ?? 0;
  if (fromIndicator > 0 && ind?.style.height) return fromIndicator;
  const item = view.querySelector<HTMLElement>("wx-picker-view-column .wx-picker-view-content > *");
  return item?.offsetHeight || fromIndicator || ROW;
}

defineWidget("picker-view", (ctx) => {
  const el = ctx.el;
  const wrap = h("div", "wx-picker-view-wrapper", el);
  const mask = h("div", "wx-picker-view-mask", el);
  const indicator = h("div", "wx-picker-view-indicator", el);
  const columns = () => Array.from(wrap.children).filter((c) => c.localName === "wx-picker-view-column");
  let value: number[] = [];

  const layout = () => {
    const rh = rowHeightOf(el);
    const viewH = el.clientHeight;
    indicator.style.top = `${(viewH - rh) / 2}px`;
    if (!r.props.raw("indicatorStyle") || !/height/.test(r.props.str("indicatorStyle"))) indicator.style.height = `${rh}px`;
    for (const [i, c] of columns().entries()) controlOf(c)?.setIndex?.(value[i] ?? 0);
  };
  const r = reactive(ctx, (name) => {
    if (name === "value") {
      value = (Array.isArray(r.props.raw("value")) ? (r.props.raw("value") as unknown[]) : []).map((x) => Number(x) || 0);
      for (const [i, c] of columns().entries()) controlOf(c)?.setIndex?.(value[i] ?? 0);
    }
    if (name === "indicatorStyle") {
      indicator.setAttribute("style", r.props.str("indicatorStyle"));
      layout();
    }
    if (name === "indicatorClass") indicator.className = `wx-picker-view-indicator ${r.props.str("indicatorClass")}`;
    if (name === "maskStyle") mask.setAttribute("style", r.props.str("maskStyle"));
    if (name === "maskClass") mask.className = `wx-picker-view-mask ${r.props.str("maskClass")}`;
    if (name === "name") setFieldName(el, r.props);
  });
  value = (Array.isArray(r.props.raw("value")) ? (r.props.raw("value") as unknown[]) : []).map((x) => Number(x) || 0);
  indicator.setAttribute("style", r.props.str("indicatorStyle"));
  indicator.className = `wx-picker-view-indicator ${r.props.str("indicatorClass")}`;
  mask.setAttribute("style", r.props.str("maskStyle"));
  setFieldName(el, r.props);

  const ro = new ResizeObserver(layout);
  ro.observe(el);
  const mo = new MutationObserver(() => layout());
  mo.observe(wrap, { childList: true });
  afterChildren(layout);

  const current = () => columns().map((c) => controlOf(c)?.index?.() ?? 0);
  let picking = 0;
  setControl(el, {
    memberChanged() {
      value = current();
      ctx.emit("change", { value });
    },
    // picker-view-column reports start/end through these two.
    activate() {
      if (picking++ === 0) ctx.emit("pickstart", {});
    },
    resetAll() {
      if (picking > 0 && --picking === 0) ctx.emit("pickend", {});
    },
  });
  return {
    slot: wrap,
    update: r.update,
    formValue: () => current(),
    reset() {
      value = (Array.isArray(r.props.raw("value")) ? (r.props.raw("value") as unknown[]) : []).map((x) => Number(x) || 0);
      layout();
    },
    destroy() {
      ro.disconnect();
      mo.disconnect();
    },
  };
});

defineWidget("picker-view-column", (ctx: WidgetContext) => {
  const el = ctx.el;
  const content = h("div", "wx-picker-view-content", el);
  const view = () => el.closest("wx-picker-view") as HTMLElement | null;
  const rowH = () => {
    const v = view();
    return v ? rowHeightOf(v) : ROW;
  };
  const padding = () => {
    const rh = rowH();
    const pad = Math.max(0, (el.clientHeight - rh) / 2);
    content.style.paddingTop = content.style.paddingBottom = `${pad}px`;
    el.style.scrollPaddingTop = `${pad}px`;
  };
  const wheel = new Wheel(
    el,
    rowH,
    () => content.children.length,
    () => controlOf(view())?.memberChanged?.(el),
    () => controlOf(view())?.activate?.(),
    () => controlOf(view())?.resetAll?.(),
  );
  const ro = new ResizeObserver(padding);
  ro.observe(el);
  const mo = new MutationObserver(() => {
    padding();
    wheel.setIndex(wheel.index);
  });
  mo.observe(content, { childList: true });
  setControl(el, {
    index: () => wheel.index,
    setIndex: (i) => {
      padding();
      wheel.setIndex(i);
    },
  });
  return { slot: content, destroy: () => (ro.disconnect(), mo.disconnect()) };
});
