// image, cover-image, web-view and the inert placeholders (video, map,
// canvas, camera, live-player, live-pusher).

import { defineWidget } from "../widget";
import type { WidgetContext } from "../widget";
import { h, reactive } from "./util";

/** background-size / background-position for each image mode. */
const MODES: Record<string, [string, string]> = {
  scaleToFill: ["100% 100%", "0% 0%"],
  aspectFit: ["contain", "center center"],
  aspectFill: ["cover", "center center"],
  widthFix: ["100% 100%", "0% 0%"],
  heightFix: ["100% 100%", "0% 0%"],
  top: ["auto auto", "center top"],
  bottom: ["auto auto", "center bottom"],
  center: ["auto auto", "center center"],
  left: ["auto auto", "left center"],
  right: ["auto auto", "right center"],
  "top left": ["auto auto", "left top"],
  "top right": ["auto auto", "right top"],
  "bottom left": ["auto auto", "left bottom"],
  "bottom right": ["auto auto", "right bottom"],
};

// WeChat draws the picture as a background of an inner div (so every mode is
// one background rule) and measures it with a detached Image.
function imageWidget(ctx: WidgetContext) {
  const pic = h("div", "wx-image-pic", ctx.el);
  let natural: { w: number; h: number } | null = null;
  let loading: HTMLImageElement | null = null;
  let loadedURL = "";
  let lazyObserver: IntersectionObserver | null = null;
  let resizeObserver: ResizeObserver | null = null;

  const fitSize = () => {
    const mode = r.props.str("mode", "scaleToFill");
    if (!natural || !natural.w || !natural.h) return;
    // widthFix/heightFix: the element keeps its width (height) and takes the other side from the picture.
    if (mode === "widthFix") {
      ctx.el.style.height = `${(ctx.el.clientWidth * natural.h) / natural.w}px`;
    } else if (mode === "heightFix") {
      ctx.el.style.width = `${(ctx.el.clientHeight * natural.w) / natural.h}px`;
    }
  };

  const applyMode = () => {
    const mode = r.props.str("mode", "scaleToFill");
    const [size, pos] = MODES[mode] ?? MODES.scaleToFill;
    pic.style.backgroundSize = size;
    pic.style.backgroundPosition = pos;
    ctx.el.setAttribute("mode", mode in MODES ? mode : "scaleToFill");
    if (mode === "widthFix" || mode === "heightFix") {
      if (!resizeObserver) {
        resizeObserver = new ResizeObserver(fitSize);
        resizeObserver.observe(ctx.el);
      }
      fitSize();
    }
  };

  const load = () => {
    const src = r.props.str("src");
    if (!src) {
      pic.style.backgroundImage = "";
      loadedURL = "";
      return;
    }
    const url = /^(https?:|data:|blob:)/i.test(src) ? src : ctx.resolveURL(src);
    if (url === loadedURL) return;
    loadedURL = url;
    if (loading) {
      loading.onload = loading.onerror = null;
    }
    const img = new Image();
    loading = img;
    img.onload = () => {
      if (loading !== img) return;
      natural = { w: img.naturalWidth, h: img.naturalHeight };
      pic.style.backgroundImage = `url(${JSON.stringify(url)})`;
      applyMode();
      ctx.emit("load", { width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      if (loading !== img) return;
      pic.style.backgroundImage = "";
      ctx.emit("error", { errMsg: `GET ${src} failed: the image could not be loaded` });
    };
    img.src = url;
  };

  const start = () => {
    lazyObserver?.disconnect();
    lazyObserver = null;
    if (r.props.bool("lazyLoad") && typeof IntersectionObserver === "function") {
      // WeChat starts lazy images when they come within about three screens.
      lazyObserver = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            lazyObserver?.disconnect();
            lazyObserver = null;
            load();
          }
        },
        { rootMargin: "300% 0px 300% 0px" },
      );
      lazyObserver.observe(ctx.el);
    } else {
      load();
    }
  };

  const r = reactive(ctx, (name) => {
    if (name === "src") start();
    else if (name === "mode") applyMode();
    else if (name === "lazyLoad" && !loadedURL) start();
  });
  applyMode();
  start();
  return {
    update: r.update,
    slot: h("span", "wx-hidden-slot", ctx.el),
    destroy() {
      lazyObserver?.disconnect();
      resizeObserver?.disconnect();
      if (loading) loading.onload = loading.onerror = null;
    },
  };
}
defineWidget("image", imageWidget);
defineWidget("cover-image", imageWidget);

// ---- web-view ----------------------------------------------------------------

// web-view does not embed the page: an iframe of an arbitrary site inside the
// mini program's sandboxed frame would let that site run beside the app's
// view (no domain allowlist is enforced here, and its postMessage/JSSDK
// bridge does not exist). A placeholder shows the URL; its "Open in
// browser" asks the shell (the sandbox may not open windows), which
// confirms with the user and opens it in a new, unrelated tab.
defineWidget("web-view", (ctx) => {
  const box = h("div", "wx-placeholder wx-web-view-box", ctx.el);
  const render = () => {
    box.textContent = "";
    h("div", "wx-placeholder-title", box).textContent = "web-view";
    const src = r.props.str("src");
    const url = h("div", "wx-placeholder-url", box);
    url.textContent = src || "(no src)";
    if (/^https?:\/\//i.test(src)) {
      const a = h("button", "wx-placeholder-link", box) as HTMLButtonElement;
      a.type = "button";
      a.textContent = "Open in browser";
      a.addEventListener("click", () => ctx.emit("openlink", { url: src }));
    }
    h("div", "wx-placeholder-note", box).textContent = "Web pages are not embedded in this runtime.";
  };
  const r = reactive(ctx, (n) => n === "src" && render());
  render();
  return { update: r.update, slot: h("span", "wx-hidden-slot", ctx.el) };
});

// ---- placeholders --------------------------------------------------------------

for (const tag of ["video", "map", "canvas", "camera", "live-player", "live-pusher"]) {
  defineWidget(tag, (ctx) => {
    const box = h("div", "wx-placeholder", ctx.el);
    h("div", "wx-placeholder-title", box).textContent = `<${tag}>`;
    h("div", "wx-placeholder-note", box).textContent = "not supported in this runtime";
    // Children (cover-view overlays) still render above the placeholder.
    const slot = h("div", "wx-placeholder-slot", ctx.el);
    return { slot };
  });
}
