// view, cover-view, text, icon, progress.

import { defineWidget } from "../widget";
import type { WidgetContext } from "../widget";
import { afterChildren, flag, h, hover, reactive } from "./util";

function viewWidget(ctx: WidgetContext) {
  const r = reactive(ctx, () => {});
  const stop = hover(ctx.el, r.props, { className: "none", startTime: 50, stayTime: 400 });
  return { update: r.update, destroy: stop };
}
defineWidget("view", viewWidget);
defineWidget("cover-view", viewWidget);

// ---- text ------------------------------------------------------------------

const SPACES: Record<string, string> = { ensp: "\u2002", emsp: "\u2003", nbsp: "\u00a0" };
const DECODED = /&(nbsp|lt|gt|amp|apos|ensp|emsp);/g;
const ENTITY: Record<string, string> = { nbsp: "\u00a0", lt: "<", gt: ">", amp: "&", apos: "'", ensp: "\u2002", emsp: "\u2003" };

/** WeChat's text `decode`: only these entities (plus numeric ones, as the webview renderer does). */
export function decodeText(s: string): string {
  return s
    .replace(DECODED, (_, n: string) => ENTITY[n])
    .replace(/&#(x[0-9a-f]+|\d+);/gi, (m, n: string) => {
      const code = n[0] === "x" || n[0] === "X" ? parseInt(n.slice(1), 16) : parseInt(n, 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    });
}

defineWidget("text", (ctx) => {
  // The logic layer's text nodes are rewritten in place (same node identity,
  // the core keeps references); `written` remembers our own writes so the
  // observer does not transform a transformed string twice.
  const written = new WeakMap<Text, string>();
  const original = new WeakMap<Text, string>();
  let observer: MutationObserver | undefined;

  const transform = (s: string) => {
    let out = s;
    if (r.props.bool("decode")) out = decodeText(out);
    const space = r.props.str("space");
    if (SPACES[space]) out = out.replace(/ /g, SPACES[space]);
    return out;
  };
  const active = () => r.props.bool("decode") || !!SPACES[r.props.str("space")];
  const fix = (t: Text) => {
    if (written.get(t) === t.data) return;
    original.set(t, t.data);
    const next = transform(t.data);
    written.set(t, next);
    if (next !== t.data) t.data = next;
  };
  const walk = (n: Node) => {
    for (const c of Array.from(n.childNodes)) {
      if (c.nodeType === Node.TEXT_NODE) fix(c as Text);
      // nested <text> elements transform their own children
    }
  };
  const refresh = () => {
    flag(ctx.el, "selectable", r.props.bool("selectable") || r.props.bool("userSelect"));
    if (active()) {
      if (!observer) {
        observer = new MutationObserver(() => walk(ctx.el));
        observer.observe(ctx.el, { childList: true, characterData: true, subtree: true });
      }
      // Re-derive from the logic layer's originals when decode/space change.
      for (const c of Array.from(ctx.el.childNodes)) {
        if (c.nodeType === Node.TEXT_NODE) {
          const t = c as Text;
          const orig = written.get(t) === t.data ? original.get(t) ?? t.data : t.data;
          original.set(t, orig);
          const next = transform(orig);
          written.set(t, next);
          if (next !== t.data) t.data = next;
        }
      }
      walk(ctx.el);
    }
  };
  const r = reactive(ctx, refresh);
  refresh();
  return { update: r.update, destroy: () => observer?.disconnect() };
});

// ---- icon ------------------------------------------------------------------

const ICON_COLORS: Record<string, string> = {
  success: "#07c160",
  success_no_circle: "#07c160",
  info: "#10aeff",
  warn: "#fa5151",
  waiting: "#10aeff",
  cancel: "#fa5151",
  download: "#07c160",
  search: "#b2b2b2",
  clear: "#b2b2b2",
  circle: "#c9c9c9",
};

/** SVG bodies on a 24×24 grid, drawn for this runtime (filled circle + white glyph like WeUI). */
function iconSVG(type: string, color: string): string {
  const circle = `<circle cx="12" cy="12" r="11" fill="${color}"/>`;
  const white = 'fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"';
  const stroke = `fill="none" stroke="${color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"`;
  switch (type) {
    case "success":
      return circle + `<path d="M6.8 12.3l3.6 3.5 6.8-7" ${white}/>`;
    case "success_no_circle":
      return `<path d="M3.5 12.5l5.7 5.5L20.5 6.5" ${stroke} stroke-width="2.2"/>`;
    case "info":
      return circle + `<path d="M12 10.5v7" ${white} stroke-width="2"/><circle cx="12" cy="7" r="1.3" fill="#fff"/>`;
    case "warn":
      return circle + `<path d="M12 6v7.5" ${white} stroke-width="2"/><circle cx="12" cy="17.2" r="1.3" fill="#fff"/>`;
    case "waiting":
      return circle + `<path d="M12 6v6.3l4 2.4" ${white} stroke-width="1.9"/>`;
    case "cancel":
      return circle + `<path d="M8 8l8 8M16 8l-8 8" ${white} stroke-width="1.9"/>`;
    case "download":
      return circle + `<path d="M12 6.5v9M8.3 12l3.7 3.8 3.7-3.8M7.5 18h9" ${white}/>`;
    case "search":
      return `<circle cx="10.5" cy="10.5" r="6.5" ${stroke} stroke-width="2"/><path d="M15.5 15.5l5 5" ${stroke} stroke-width="2.2"/>`;
    case "clear":
      return circle + `<path d="M8.5 8.5l7 7M15.5 8.5l-7 7" ${white} stroke-width="1.7"/>`;
    // Not in the documented list, but WeChat maps type to WeUI's weui-icon-<type>,
    // and WeUI's "circle" (an empty ring) is what to-do lists use for "not done".
    case "circle":
      return `<circle cx="12" cy="12" r="10.5" ${stroke} stroke-width="1.2"/>`;
    default:
      return "";
  }
}

defineWidget("icon", (ctx) => {
  const span = h("span", "wx-icon-svg", ctx.el);
  const render = () => {
    const type = r.props.str("type");
    const color = r.props.str("color") || ICON_COLORS[type] || "#b2b2b2";
    const size = r.props.has("size") ? sizePx(r.props.raw("size"), ctx) : 23;
    const body = iconSVG(type, color.replace(/"/g, ""));
    // body only ever contains our own markup and a quote-stripped color.
    span.innerHTML = body
      ? `<svg width="${size}" height="${size}" viewBox="0 0 24 24" aria-hidden="true">${body}</svg>`
      : "";
    span.setAttribute("role", body ? "img" : "presentation");
    span.setAttribute("aria-label", type);
  };
  const r = reactive(ctx, render);
  render();
  return { update: r.update, slot: h("span", "wx-hidden-slot", ctx.el) };
});

function sizePx(v: unknown, ctx: WidgetContext): number {
  if (typeof v === "number") return v;
  const s = String(v).trim();
  const n = parseFloat(s);
  if (!Number.isFinite(n)) return 23;
  return s.endsWith("rpx") ? ctx.rpx(n) : n;
}

// ---- progress --------------------------------------------------------------

defineWidget("progress", (ctx) => {
  const bar = h("div", "wx-progress-bar", ctx.el);
  const inner = h("div", "wx-progress-inner-bar", bar);
  const info = h("span", "wx-progress-info", ctx.el);
  let shown = 0; // percent currently displayed (target of the running transition)
  let first = true;

  const onEnd = (e: TransitionEvent) => {
    if (e.propertyName === "width") ctx.emit("activeend", { curPercent: shown });
  };
  inner.addEventListener("transitionend", onEnd);

  const render = (changed?: string) => {
    const p = r.props;
    const percent = Math.max(0, Math.min(100, p.num("percent", 0)));
    const stroke = sizePx(p.raw("strokeWidth") ?? 6, ctx);
    bar.style.height = `${stroke}px`;
    bar.style.borderRadius = `${sizePx(p.raw("borderRadius") ?? 0, ctx)}px`;
    inner.style.borderRadius = bar.style.borderRadius;
    bar.style.backgroundColor = p.strOf(["backgroundColor", "backgroundcolor"], "#ebebeb");
    inner.style.backgroundColor = p.strOf(["activeColor", "color"], "#07c160");
    info.style.display = p.bool("showInfo") ? "" : "none";
    info.style.fontSize = `${sizePx(p.raw("fontSize") ?? 16, ctx)}px`;
    info.textContent = `${Math.round(percent)}%`;
    if (!attached) {
      inner.style.transition = "none";
      inner.style.width = p.bool("active") ? "0%" : `${percent}%`;
      return;
    }
    if (changed !== undefined && changed !== "percent" && changed !== "active" && !first) return;
    const active = p.bool("active");
    const duration = p.num("duration", 30);
    if (active) {
      const from = p.str("activeMode", "backwards") === "forwards" && !first ? shown : 0;
      inner.style.transition = "none";
      inner.style.width = `${from}%`;
      void inner.offsetWidth; // commit the start width so the transition runs
      inner.style.transition = `width ${Math.abs(percent - from) * duration}ms linear`;
      if (percent === from) queueMicrotask(() => ctx.emit("activeend", { curPercent: percent }));
    } else {
      inner.style.transition = "none";
    }
    inner.style.width = `${percent}%`;
    shown = percent;
    first = false;
  };
  const r = reactive(ctx, (name) => render(name));
  // The bar animates only once it is in the document (the core inserts it after this factory).
  let attached = false;
  render("style");
  afterChildren(() => {
    attached = true;
    render();
  });
  return { update: r.update, slot: h("span", "wx-hidden-slot", ctx.el), destroy: () => inner.removeEventListener("transitionend", onEnd) };
});

