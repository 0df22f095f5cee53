// scroll-view, swiper, swiper-item, movable-area, movable-view.

import { defineWidget } from "../widget";
import type { WidgetContext } from "../widget";
import { afterChildren, clamp, controlOf, flag, h, lengthPx, reactive, setControl } from "./util";

// ---- scroll-view ---------------------------------------------------------------

defineWidget("scroll-view", (ctx) => {
  const el = ctx.el;
  const scroller = h("div", "wx-scroll-view-scroller", el);
  const refresher = h("div", "wx-scroll-view-refresher", scroller);
  const refresherDots = h("div", "wx-scroll-view-refresher-dots", refresher);
  for (let i = 0; i < 3; i++) h("i", "", refresherDots);
  const content = h("div", "wx-scroll-view-content", scroller);
  let lastTop = 0;
  let lastLeft = 0;
  let inUpper = true;
  let inLower = false;
  let inLeft = true;
  let inRight = false;
  let frame = 0;

  const behavior = (): ScrollBehavior => (r.props.bool("scrollWithAnimation") ? "smooth" : "auto");
  const applyAxes = () => {
    const p = r.props;
    scroller.style.overflowX = p.bool("scrollX") ? "auto" : "hidden";
    scroller.style.overflowY = p.bool("scrollY") ? "auto" : "hidden";
    flag(el, "enable-flex", p.bool("enableFlex"));
    flag(el, "scroll-x", p.bool("scrollX"));
    scroller.classList.toggle("wx-scroll-view-no-bar", p.has("showScrollbar") && !p.bool("showScrollbar"));
  };
  const scrollToTop = () => {
    if (r.props.has("scrollTop")) scroller.scrollTo({ top: lengthPx(ctx, r.props.raw("scrollTop")), behavior: behavior() });
  };
  const scrollToLeft = () => {
    if (r.props.has("scrollLeft")) scroller.scrollTo({ left: lengthPx(ctx, r.props.raw("scrollLeft")), behavior: behavior() });
  };
  const intoView = () => {
    const id = r.props.str("scrollIntoView");
    if (!id) return;
    // WeChat: the id must not start with a digit; CSS.escape handles any id anyway.
    const target = content.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
    if (!target) return;
    const offset = lengthPx(ctx, r.props.raw("scrollIntoViewOffset"), 0);
    const t = target.getBoundingClientRect();
    const s = scroller.getBoundingClientRect();
    const opts: ScrollToOptions = { behavior: behavior() };
    if (r.props.bool("scrollY")) opts.top = scroller.scrollTop + (t.top - s.top) + offset;
    if (r.props.bool("scrollX")) opts.left = scroller.scrollLeft + (t.left - s.left) + offset;
    scroller.scrollTo(opts);
  };

  const thresholds = () => ({
    upper: lengthPx(ctx, r.props.raw("upperThreshold"), 50),
    lower: lengthPx(ctx, r.props.raw("lowerThreshold"), 50),
  });
  const checkEdges = () => {
    const { upper, lower } = thresholds();
    const top = scroller.scrollTop;
    const left = scroller.scrollLeft;
    if (r.props.bool("scrollY")) {
      const nowUpper = top <= upper;
      const nowLower = top + scroller.clientHeight >= scroller.scrollHeight - lower;
      if (nowUpper && !inUpper && top < lastTop) ctx.emit("scrolltoupper", { direction: "top" });
      if (nowLower && !inLower && top > lastTop) ctx.emit("scrolltolower", { direction: "bottom" });
      inUpper = nowUpper;
      inLower = nowLower;
    }
    if (r.props.bool("scrollX")) {
      const nowLeft = left <= upper;
      const nowRight = left + scroller.clientWidth >= scroller.scrollWidth - lower;
      if (nowLeft && !inLeft && left < lastLeft) ctx.emit("scrolltoupper", { direction: "left" });
      if (nowRight && !inRight && left > lastLeft) ctx.emit("scrolltolower", { direction: "right" });
      inLeft = nowLeft;
      inRight = nowRight;
    }
  };
  const onScroll = () => {
    if (frame) return;
    // One scroll event per frame is what the logic layer can keep up with.
    frame = requestAnimationFrame(() => {
      frame = 0;
      const top = scroller.scrollTop;
      const left = scroller.scrollLeft;
      checkEdges();
      ctx.emit("scroll", {
        scrollLeft: left,
        scrollTop: top,
        scrollHeight: scroller.scrollHeight,
        scrollWidth: scroller.scrollWidth,
        deltaX: lastLeft - left,
        deltaY: lastTop - top,
      });
      lastTop = top;
      lastLeft = left;
    });
  };
  scroller.addEventListener("scroll", onScroll, { passive: true });

  // ---- refresher (pull down at the top) ----
  let pullStart: { y: number; id: number } | null = null;
  let pulled = 0;
  let refreshing = false;
  const refresherHeight = () => lengthPx(ctx, r.props.raw("refresherThreshold"), 45);
  const showRefresher = (px: number, animate: boolean) => {
    refresher.style.transition = animate ? "height .25s" : "none";
    refresher.style.height = `${px}px`;
    refresher.style.background = r.props.str("refresherBackground", "#fff");
    refresher.setAttribute("refresher-style", r.props.str("refresherDefaultStyle", "black"));
  };
  const setTriggered = (on: boolean) => {
    if (on === refreshing) return;
    refreshing = on;
    if (on) showRefresher(refresherHeight(), true);
    else {
      showRefresher(0, true);
      ctx.emit("refresherrestore", {});
    }
  };
  const onDown = (e: PointerEvent) => {
    if (!r.props.bool("refresherEnabled") || refreshing || scroller.scrollTop > 0 || e.button > 0) return;
    pullStart = { y: e.clientY, id: e.pointerId };
    pulled = 0;
  };
  const onMove = (e: PointerEvent) => {
    if (!pullStart || e.pointerId !== pullStart.id) return;
    const dy = e.clientY - pullStart.y;
    if (dy <= 0) return;
    pulled = dy * 0.5; // rubber band
    showRefresher(pulled, false);
    ctx.emit("refresherpulling", { dy: pulled });
  };
  const onUp = () => {
    if (!pullStart) return;
    pullStart = null;
    if (pulled >= refresherHeight()) {
      refreshing = true;
      showRefresher(refresherHeight(), true);
      ctx.emit("refresherrefresh", {});
    } else if (pulled > 0) {
      showRefresher(0, true);
      ctx.emit("refresherabort", {});
    }
    pulled = 0;
  };
  scroller.addEventListener("pointerdown", onDown);
  scroller.addEventListener("pointermove", onMove);
  scroller.addEventListener("pointerup", onUp);
  scroller.addEventListener("pointercancel", onUp);

  const r = reactive(ctx, (name) => {
    switch (name) {
      case "scrollX":
      case "scrollY":
      case "enableFlex":
      case "showScrollbar":
        applyAxes();
        break;
      case "scrollTop":
        scrollToTop();
        break;
      case "scrollLeft":
        scrollToLeft();
        break;
      case "scrollIntoView":
        intoView();
        break;
      case "refresherTriggered":
        setTriggered(r.props.bool("refresherTriggered"));
        break;
    }
  });
  applyAxes();
  showRefresher(0, false);
  afterChildren(() => {
    scrollToTop();
    scrollToLeft();
    intoView();
    if (r.props.bool("refresherTriggered")) setTriggered(true);
    lastTop = scroller.scrollTop;
    lastLeft = scroller.scrollLeft;
    const { upper, lower } = thresholds();
    inUpper = lastTop <= upper;
    inLeft = lastLeft <= upper;
    inLower = lastTop + scroller.clientHeight >= scroller.scrollHeight - lower && scroller.scrollHeight > scroller.clientHeight;
    inRight = lastLeft + scroller.clientWidth >= scroller.scrollWidth - lower && scroller.scrollWidth > scroller.clientWidth;
  });
  return {
    slot: content,
    update: r.update,
    destroy() {
      cancelAnimationFrame(frame);
    },
  };
});

// ---- swiper -----------------------------------------------------------------

defineWidget("swiper-item", (ctx) => {
  const r = reactive(ctx, () => {});
  setControl(ctx.el, { itemId: () => r.props.str("itemId") });
  return { update: r.update };
});

defineWidget("swiper", (ctx) => {
  const el = ctx.el;
  const frame = h("div", "wx-swiper-frame", el);
  const track = h("div", "wx-swiper-track", frame);
  const dots = h("div", "wx-swiper-dots", el);
  /** Position in items (fractional while moving). */
  let pos = 0;
  let current = 0;
  let anim = 0;
  let timer = 0;
  let drag: { x: number; y: number; pos: number; id: number; t: number; moved: boolean } | null = null;

  const items = () => Array.from(track.children).filter((c) => c.localName === "wx-swiper-item") as HTMLElement[];
  const vertical = () => r.props.bool("vertical");
  const per = () => Math.max(1, Math.floor(r.props.num("displayMultipleItems", 1)));
  const circular = () => r.props.bool("circular") && items().length > per();
  const maxIndex = () => (circular() ? items().length - 1 : Math.max(0, items().length - per()));
  const geometry = () => {
    const size = vertical() ? frame.clientHeight : frame.clientWidth;
    const prev = lengthPx(ctx, r.props.raw("previousMargin"), 0);
    const next = lengthPx(ctx, r.props.raw("nextMargin"), 0);
    return { prev, item: Math.max(1, (size - prev - next) / per()) };
  };
  const itemId = (i: number) => controlOf(items()[i] ?? null)?.itemId?.() ?? "";

  const layout = () => {
    const list = items();
    const n = list.length;
    const { prev, item } = geometry();
    for (const [i, it] of list.entries()) {
      let off = i - pos;
      if (circular()) {
        // Wrap each item to the side nearest the current position.
        const k = (n - per()) / 2;
        off = ((((off + k) % n) + n) % n) - k;
      }
      const px = prev + off * item;
      it.style.position = "absolute";
      it.style.width = vertical() ? "100%" : `${item}px`;
      it.style.height = vertical() ? `${item}px` : "100%";
      it.style.transform = vertical() ? `translate3d(0, ${px}px, 0)` : `translate3d(${px}px, 0, 0)`;
    }
    paintDots();
  };
  const paintDots = () => {
    const p = r.props;
    const n = items().length;
    dots.style.display = p.bool("indicatorDots") && n > 0 ? "" : "none";
    flag(dots, "vertical", vertical());
    if (dots.children.length !== n) {
      dots.textContent = "";
      for (let i = 0; i < n; i++) h("i", "wx-swiper-dot", dots);
    }
    Array.from(dots.children).forEach((d, i) => {
      const on = i === current;
      flag(d, "active", on);
      (d as HTMLElement).style.backgroundColor = on ? p.str("indicatorActiveColor", "#000000") : p.str("indicatorColor", "rgba(0, 0, 0, .3)");
    });
  };

  const emitTransition = () => {
    const { item } = geometry();
    const d = (pos - current) * item;
    ctx.emit("transition", vertical() ? { dx: 0, dy: d } : { dx: d, dy: 0 });
  };
  /** Animates pos to target (an index, possibly one past either end when circular). */
  const animateTo = (target: number, source: string, emitChange: boolean) => {
    cancelAnimationFrame(anim);
    const n = items().length;
    if (!n) return;
    const from = pos;
    const next = circular() ? ((target % n) + n) % n : clamp(target, 0, maxIndex());
    const changed = next !== current;
    current = next;
    if (changed && emitChange) ctx.emit("change", { current, currentItemId: itemId(current), source });
    paintDots();
    const duration = Math.max(0, r.props.num("duration", 500));
    const start = performance.now();
    const to = circular() ? from + shortest(from, next, n) : next;
    const step = (now: number) => {
      const t = duration ? Math.min(1, (now - start) / duration) : 1;
      const e = 1 - Math.pow(1 - t, 3); // ease-out
      pos = from + (to - from) * e;
      layout();
      if (t < 1) {
        emitTransition();
        anim = requestAnimationFrame(step);
      } else {
        pos = next;
        layout();
        anim = 0;
        ctx.emit("animationfinish", { current, currentItemId: itemId(current), source });
      }
    };
    anim = requestAnimationFrame(step);
  };
  const shortest = (from: number, to: number, n: number) => {
    let d = (((to - from) % n) + n) % n;
    if (d > n / 2) d -= n;
    return d;
  };

  const schedule = () => {
    clearInterval(timer);
    timer = 0;
    if (!r.props.bool("autoplay") || items().length <= 1) return;
    timer = window.setInterval(() => {
      if (drag || document.hidden) return;
      const last = maxIndex();
      // Non-circular autoplay returns to the first item after the last, as WeChat does.
      const target = circular() ? current + 1 : current >= last ? 0 : current + 1;
      animateTo(target, "autoplay", true);
    }, Math.max(100, r.props.num("interval", 5000)));
  };

  // ---- touch / mouse swipe ----
  const onDown = (e: PointerEvent) => {
    if (e.button > 0 || r.props.bool("disableTouch") || r.props.bool("touchable") === false && r.props.has("touchable")) return;
    cancelAnimationFrame(anim);
    drag = { x: e.clientX, y: e.clientY, pos, id: e.pointerId, t: performance.now(), moved: false };
  };
  const onMove = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = vertical() ? e.clientY - drag.y : e.clientX - drag.x;
    const cross = vertical() ? e.clientX - drag.x : e.clientY - drag.y;
    if (!drag.moved) {
      if (Math.abs(d) < 6 || Math.abs(cross) > Math.abs(d)) return;
      drag.moved = true;
      frame.setPointerCapture?.(e.pointerId);
    }
    const { item } = geometry();
    let p = drag.pos - d / item;
    if (!circular()) {
      const lo = 0;
      const hi = maxIndex();
      // Resist past the ends.
      if (p < lo) p = lo - (lo - p) * 0.3;
      if (p > hi) p = hi + (p - hi) * 0.3;
    }
    pos = p;
    layout();
    emitTransition();
  };
  const onUp = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    if (!d.moved) return;
    const dt = Math.max(1, performance.now() - d.t);
    const moved = pos - d.pos;
    const fast = Math.abs(moved) > 0.05 && Math.abs(moved) / dt > 0.0015;
    let target = Math.round(pos);
    if (fast) target = moved > 0 ? Math.floor(d.pos) + 1 : Math.ceil(d.pos) - 1;
    target = clamp(target, Math.round(d.pos) - 1, Math.round(d.pos) + 1);
    animateTo(target, "touch", true);
    schedule();
  };
  // A swipe must not also count as a tap on the item under the pointer.
  const onClickCapture = (e: MouseEvent) => {
    if (swallowClick) {
      e.stopPropagation();
      e.preventDefault();
      swallowClick = false;
    }
  };
  let swallowClick = false;
  frame.addEventListener("pointerdown", onDown);
  frame.addEventListener("pointermove", onMove);
  frame.addEventListener("pointerup", (e) => {
    swallowClick = !!drag?.moved;
    onUp(e);
  });
  frame.addEventListener("pointercancel", onUp);
  frame.addEventListener("click", onClickCapture, true);

  const r = reactive(ctx, (name) => {
    switch (name) {
      case "current": {
        const c = Math.floor(r.props.num("current", 0));
        if (c !== current && items().length) animateTo(c, "", true);
        break;
      }
      case "currentItemId": {
        const i = items().findIndex((_, k) => itemId(k) === r.props.str("currentItemId"));
        if (i >= 0 && i !== current) animateTo(i, "", true);
        break;
      }
      case "autoplay":
      case "interval":
        schedule();
        break;
      default:
        layout();
    }
  });
  flag(el, "vertical", vertical());
  const mo = new MutationObserver(() => {
    current = clamp(current, 0, maxIndex());
    pos = current;
    layout();
    schedule();
  });
  mo.observe(track, { childList: true });
  const ro = new ResizeObserver(layout);
  ro.observe(frame);
  afterChildren(() => {
    current = clamp(Math.floor(r.props.num("current", 0)), 0, maxIndex());
    const byId = r.props.str("currentItemId");
    if (byId) {
      const i = items().findIndex((_, k) => itemId(k) === byId);
      if (i >= 0) current = i;
    }
    pos = current;
    layout();
    schedule();
  });
  return {
    slot: track,
    update: r.update,
    destroy() {
      clearInterval(timer);
      cancelAnimationFrame(anim);
      mo.disconnect();
      ro.disconnect();
    },
  };
});

// ---- movable-area / movable-view -------------------------------------------------

defineWidget("movable-area", (ctx) => {
  const r = reactive(ctx, () => {});
  return { update: r.update };
});

defineWidget("movable-view", (ctx: WidgetContext) => {
  const el = ctx.el;
  let x = 0;
  let y = 0;
  let scale = 1;
  let drag: { px: number; py: number; x: number; y: number; id: number; vx: number; vy: number; t: number } | null = null;
  let inertia = 0;

  const area = () => el.parentElement?.closest("wx-movable-area") as HTMLElement | null;
  const limits = () => {
    const a = area();
    const aw = a?.clientWidth ?? 0;
    const ah = a?.clientHeight ?? 0;
    const w = el.offsetWidth * scale;
    const hh = el.offsetHeight * scale;
    // A view larger than its area may move so that its edges stay outside the area.
    return { minX: Math.min(0, aw - w), maxX: Math.max(0, aw - w), minY: Math.min(0, ah - hh), maxY: Math.max(0, ah - hh) };
  };
  const place = (animate: boolean) => {
    el.style.transition = animate && r.props.bool("animation", true) ? `transform ${damped()}ms cubic-bezier(.25,.8,.4,1)` : "none";
    el.style.transform = `translate3d(${x}px, ${y}px, 0) scale(${scale})`;
  };
  // Higher damping → faster settle (WeChat default 20).
  const damped = () => clamp(4000 / Math.max(1, r.props.num("damping", 20)), 80, 1000);
  const dir = () => r.props.str("direction", "none");
  const canX = () => dir() === "all" || dir() === "horizontal";
  const canY = () => dir() === "all" || dir() === "vertical";
  const bound = (nx: number, ny: number, soft: boolean) => {
    const l = limits();
    const fit = (v: number, lo: number, hi: number) => {
      if (v >= lo && v <= hi) return v;
      if (!soft) return clamp(v, lo, hi);
      const edge = v < lo ? lo : hi;
      return edge + (v - edge) * 0.3;
    };
    const out = r.props.bool("outOfBounds");
    return [fit(nx, l.minX, l.maxX), fit(ny, l.minY, l.maxY), out] as const;
  };
  const setFromProps = (animate: boolean) => {
    const [bx, by] = bound(lengthPx(ctx, r.props.raw("x"), 0), lengthPx(ctx, r.props.raw("y"), 0), false);
    x = bx;
    y = by;
    place(animate);
  };

  const onDown = (e: PointerEvent) => {
    if (r.props.bool("disabled") || dir() === "none" || e.button > 0) return;
    cancelAnimationFrame(inertia);
    drag = { px: e.clientX, py: e.clientY, x, y, id: e.pointerId, vx: 0, vy: 0, t: performance.now() };
    el.setPointerCapture?.(e.pointerId);
    e.preventDefault();
  };
  const onMove = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const nx = canX() ? drag.x + e.clientX - drag.px : x;
    const ny = canY() ? drag.y + e.clientY - drag.py : y;
    const now = performance.now();
    const dt = Math.max(1, now - drag.t);
    drag.vx = (nx - x) / dt;
    drag.vy = (ny - y) / dt;
    drag.t = now;
    const [bx, by, out] = bound(nx, ny, true);
    const l = limits();
    const outside = nx < l.minX || nx > l.maxX || ny < l.minY || ny > l.maxY;
    x = out ? bx : clamp(nx, l.minX, l.maxX);
    y = out ? by : clamp(ny, l.minY, l.maxY);
    place(false);
    ctx.emit("change", { x, y, source: outside ? "touch-out-of-bounds" : "touch" });
  };
  const onUp = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const { vx, vy } = drag;
    drag = null;
    const l = limits();
    if (x < l.minX || x > l.maxX || y < l.minY || y > l.maxY) {
      x = clamp(x, l.minX, l.maxX);
      y = clamp(y, l.minY, l.maxY);
      place(true);
      ctx.emit("change", { x, y, source: "out-of-bounds" });
      return;
    }
    if (!r.props.bool("inertia")) return;
    // Friction decelerates the release velocity (px/ms) until it stops.
    const friction = Math.max(0.1, r.props.num("friction", 2));
    let ivx = vx;
    let ivy = vy;
    let last = performance.now();
    const step = (now: number) => {
      const dt = now - last;
      last = now;
      const decay = Math.pow(0.995, dt * friction);
      ivx *= decay;
      ivy *= decay;
      x = clamp(x + ivx * dt, l.minX, l.maxX);
      y = clamp(y + ivy * dt, l.minY, l.maxY);
      place(false);
      ctx.emit("change", { x, y, source: "friction" });
      if (Math.abs(ivx) + Math.abs(ivy) > 0.02) inertia = requestAnimationFrame(step);
    };
    inertia = requestAnimationFrame(step);
  };
  el.addEventListener("pointerdown", onDown);
  el.addEventListener("pointermove", onMove);
  el.addEventListener("pointerup", onUp);
  el.addEventListener("pointercancel", onUp);
  // Mouse-wheel zoom stands in for pinch when scale is enabled.
  const onWheel = (e: WheelEvent) => {
    if (!r.props.bool("scale") || r.props.bool("disabled") || !e.ctrlKey) return;
    e.preventDefault();
    scale = clamp(scale * (e.deltaY < 0 ? 1.1 : 0.9), r.props.num("scaleMin", 0.5), r.props.num("scaleMax", 10));
    place(false);
    ctx.emit("scale", { x, y, scale });
  };
  el.addEventListener("wheel", onWheel, { passive: false });

  const r = reactive(ctx, (name) => {
    if (name === "x" || name === "y") setFromProps(true);
    if (name === "scaleValue") {
      scale = clamp(r.props.num("scaleValue", 1), r.props.num("scaleMin", 0.5), r.props.num("scaleMax", 10));
      place(true);
    }
    if (name === "disabled") flag(el, "disabled", r.props.bool("disabled"));
  });
  if (r.props.has("scaleValue")) scale = r.props.num("scaleValue", 1);
  afterChildren(() => setFromProps(false));
  return {
    update: r.update,
    destroy() {
      cancelAnimationFrame(inertia);
    },
  };
});
