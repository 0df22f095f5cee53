// rich-text: renders `nodes` (an HTML string or WeChat's node array) through
// a whitelist. Nothing of the input is ever assigned to innerHTML of a live
// document: strings are parsed in an inert DOMParser document (no scripts
// run, no images load), then every node is rebuilt by hand from the
// whitelist below, so handlers, scripts, frames and javascript: URLs cannot
// survive.

import { defineWidget } from "../widget";
import { h, inertDocument, reactive } from "./util";

/** WeChat's rich-text whitelist (tags and their own attributes; class and style are global). */
const TAGS: Record<string, string[]> = {
  a: [], abbr: [], address: [], article: [], aside: [], b: [], bdi: [], bdo: ["dir"], big: [],
  blockquote: [], br: [], caption: [], center: [], cite: [], code: [], col: ["span", "width"],
  colgroup: ["span", "width"], dd: [], del: ["datetime"], div: [], dl: [], dt: [], em: [],
  fieldset: [], font: ["color", "size", "face"], footer: [], h1: [], h2: [], h3: [], h4: [], h5: [], h6: [],
  header: [], hr: [], i: [], img: ["alt", "src", "height", "width"], ins: ["datetime"], label: [],
  legend: [], li: [], mark: [], nav: [], ol: ["start", "type"], p: [], pre: [], q: [], rt: [],
  ruby: [], s: [], section: [], small: [], span: [], strong: [], sub: [], sup: [],
  table: ["width"], tbody: [], td: ["colspan", "height", "rowspan", "width"], tfoot: [],
  th: ["colspan", "height", "rowspan", "width"], thead: [], tr: ["colspan", "height", "rowspan", "width"],
  tt: [], u: [], ul: [],
};

/** Tags dropped together with their content (not just unwrapped). */
const DROP_WITH_CONTENT = new Set([
  "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "template", "noscript",
  "textarea", "title", "svg", "math", "head", "meta", "link", "base", "select", "option", "audio", "video",
  "canvas", "form", "input", "button",
]);

const GLOBAL_ATTRS = ["class", "style"];

/** A URL allowed in img src: http(s), protocol-relative, package paths and raster data: images. */
function safeSrc(src: string): boolean {
  const s = src.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  if (/^data:image\/(png|jpe?g|gif|webp|bmp);/.test(s)) return true;
  if (/^[a-z][a-z0-9+.-]*:/.test(s)) return s.startsWith("http:") || s.startsWith("https:");
  return true; // relative or absolute package path
}

/** Drops declarations that could run code or load non-image resources. */
export function sanitizeStyle(style: string): string {
  const out: string[] = [];
  // Unescape CSS escapes first so "j\61vascript" is judged as "javascript".
  const plain = (s: string) =>
    s.replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16) || 0xfffd)).replace(/\\(.)/g, "$1");
  for (const decl of style.split(";")) {
    const d = decl.trim();
    if (!d) continue;
    const lower = plain(d).toLowerCase().replace(/\s+/g, "");
    if (
      lower.includes("expression(") ||
      lower.includes("javascript:") ||
      lower.includes("vbscript:") ||
      lower.includes("-moz-binding") ||
      lower.startsWith("behavior:") ||
      lower.includes("@import") ||
      /url\((?!['"]?(https?:|data:image\/))/.test(lower) ||
      d.includes("<")
    )
      continue;
    out.push(d);
  }
  return out.join(";");
}

export interface RichNode {
  name?: string;
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  children?: RichNode[];
}

function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return inertDocument(s.replace(/</g, "&lt;")).body.textContent ?? "";
}

function buildElement(name: string, attrs: (n: string) => string | null, resolveURL: (s: string) => string): HTMLElement | null {
  const tag = name.toLowerCase();
  const allowed = TAGS[tag];
  if (!allowed) return null;
  const el = document.createElement(tag);
  for (const a of [...GLOBAL_ATTRS, ...allowed]) {
    const v = attrs(a);
    if (v === null) continue;
    if (a === "style") {
      const s = sanitizeStyle(v);
      if (s) el.setAttribute("style", s);
    } else if (a === "src") {
      if (safeSrc(v)) el.setAttribute("src", /^(https?:|data:)/i.test(v.trim()) ? v.trim() : resolveURL(v.trim()));
    } else {
      el.setAttribute(a, v);
    }
  }
  return el;
}

/** Rebuilds an HTML string's nodes from the whitelist. */
export function sanitizeHTML(html: string, resolveURL: (s: string) => string): DocumentFragment {
  const doc = inertDocument(html);
  const frag = document.createDocumentFragment();
  copyChildren(doc.body, frag, resolveURL);
  return frag;
}

function copyChildren(from: Node, to: Node, resolveURL: (s: string) => string): void {
  for (const c of Array.from(from.childNodes)) {
    if (c.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode((c as Text).data));
    } else if (c.nodeType === Node.ELEMENT_NODE) {
      const src = c as Element;
      const tag = src.localName;
      if (src.namespaceURI !== "http://www.w3.org/1999/xhtml" || DROP_WITH_CONTENT.has(tag)) continue;
      const el = buildElement(tag, (a) => src.getAttribute(a), resolveURL);
      if (el) {
        copyChildren(src, el, resolveURL);
        to.appendChild(el);
      } else {
        copyChildren(src, to, resolveURL); // unknown tag: keep its text, drop the tag
      }
    }
  }
}

/** Rebuilds WeChat's node array from the whitelist. */
export function sanitizeNodes(nodes: RichNode[], resolveURL: (s: string) => string, depth = 0): DocumentFragment {
  const frag = document.createDocumentFragment();
  if (depth > 64) return frag; // a cyclic or absurdly deep array stops here
  for (const n of nodes) {
    if (!n || typeof n !== "object") continue;
    if (n.type === "text") {
      frag.appendChild(document.createTextNode(decodeEntities(String(n.text ?? ""))));
      continue;
    }
    const name = String(n.name ?? "").toLowerCase();
    if (DROP_WITH_CONTENT.has(name)) continue;
    const attrs = n.attrs && typeof n.attrs === "object" ? n.attrs : {};
    const get = (a: string): string | null => {
      const v = (attrs as Record<string, unknown>)[a];
      return v === undefined || v === null ? null : String(v);
    };
    const el = buildElement(name, get, resolveURL);
    const kids = Array.isArray(n.children) ? sanitizeNodes(n.children, resolveURL, depth + 1) : null;
    if (el) {
      if (kids) el.appendChild(kids);
      frag.appendChild(el);
    } else if (kids) {
      frag.appendChild(kids);
    }
  }
  return frag;
}

defineWidget("rich-text", (ctx) => {
  const box = h("div", "wx-rich-text", ctx.el);
  const render = () => {
    const nodes = r.props.raw("nodes");
    box.textContent = "";
    if (typeof nodes === "string") box.appendChild(sanitizeHTML(nodes, ctx.resolveURL));
    else if (Array.isArray(nodes)) box.appendChild(sanitizeNodes(nodes as RichNode[], ctx.resolveURL));
    const space = r.props.str("space");
    box.style.whiteSpace = space ? "pre-wrap" : "";
  };
  const r = reactive(ctx, (name) => {
    if (name === "nodes" || name === "space") render();
  });
  render();
  return { update: r.update, slot: h("span", "wx-hidden-slot", ctx.el) };
});
