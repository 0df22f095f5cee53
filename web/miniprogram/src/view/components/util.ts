// Shared helpers for the built-in components: attribute access with WXML
// typing, hover-class, form-field bookkeeping and small DOM helpers.

import type { Widget, WidgetContext } from "../widget";

import { camel } from "../../names";
import { CORE_ATTRS } from "../widget";

// "indicator-dots" → "indicatorDots": wcc already camelCases, hand-written ops may not.
export { camel, CORE_ATTRS };

/**
 * The attributes of one widget, stored under camelCase names, read with the
 * conversions WeChat applies to typed properties.
 */
export class Props {
  private readonly values = new Map<string, unknown>();

  constructor(init: Record<string, unknown>) {
    for (const [k, v] of Object.entries(init)) this.set(k, v);
  }

  /** Stores value; returns the camelCase name. */
  set(name: string, value: unknown): string {
    const key = camel(name);
    if (value === null || value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    return key;
  }

  has(name: string): boolean {
    return this.values.has(camel(name));
  }

  raw(name: string): unknown {
    return this.values.get(camel(name));
  }

  /**
   * Boolean property: WeChat converts with !!value, so the string "false" is
   * true (as in WeChat) and a valueless attribute arrives as true from wcc.
   */
  bool(name: string, def = false): boolean {
    const v = this.raw(name);
    if (v === undefined) return def;
    return !!v;
  }

  num(name: string, def: number): number {
    const v = this.raw(name);
    if (v === undefined || v === "") return def;
    const n = typeof v === "number" ? v : parseFloat(String(v));
    return Number.isFinite(n) ? n : def;
  }

  str(name: string, def = ""): string {
    const v = this.raw(name);
    if (v === undefined) return def;
    return String(v);
  }

  /** First present of several names (e.g. activeColor vs the legacy "color"). */
  strOf(names: string[], def = ""): string {
    for (const n of names) {
      const v = this.raw(n);
      if (v !== undefined && v !== "") return String(v);
    }
    return def;
  }
}


/** A length attribute: numbers are px; strings may carry px or rpx. */
export function lengthPx(ctx: WidgetContext, v: unknown, def = 0): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v.trim() === "") return def;
  const s = v.trim();
  const n = parseFloat(s);
  if (!Number.isFinite(n)) return def;
  if (s.endsWith("rpx")) return ctx.rpx(n);
  return n;
}

/** Creates an element with a class and optional parent. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  parent?: Node,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

/** Widget-internal state flag on the element (not the `class` attribute, which the core owns). */
export function flag(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, "");
  else el.removeAttribute(name);
}

// ---- form fields -----------------------------------------------------------

/** The `name` of each form field element (the core does not put it on the DOM). */
const fieldNames = new WeakMap<Element, string>();

export function setFieldName(el: Element, props: Props): void {
  const n = props.str("name");
  if (n) fieldNames.set(el, n);
  else fieldNames.delete(el);
}

export function fieldName(el: Element): string | undefined {
  return fieldNames.get(el);
}

/** What controls expose to label, groups and forms (module-internal). */
export interface Control {
  /** A label was tapped: focus or toggle like a tap on the control would. */
  activate?(): void;
  /** checkbox / radio: current state and value, for groups. */
  checked?(): boolean;
  value?(): string;
  setChecked?(on: boolean): void;
  /** radio-group / checkbox-group: a member changed by the user. */
  memberChanged?(member: Element): void;
  /** form: a button asked to submit or reset. */
  submit?(from: Element): void;
  resetAll?(): void;
  /** picker-view-column: its selected row. */
  index?(): number;
  setIndex?(i: number): void;
  /** swiper-item: its item-id. */
  itemId?(): string;
}

const controls = new WeakMap<Element, Control>();

export function setControl(el: Element, c: Control): void {
  controls.set(el, c);
}

export function controlOf(el: Element | null): Control | undefined {
  return el ? controls.get(el) : undefined;
}

// ---- hover-class -----------------------------------------------------------

const hoverStopped = new WeakSet<Event>();

export interface HoverDefaults {
  className: string;
  startTime: number;
  stayTime: number;
}

/**
 * WeChat's hover-class: added hover-start-time ms after the touch starts,
 * removed hover-stay-time ms after it ends; a move cancels it; an inner node
 * with hover-stop-propagation keeps ancestors from hovering.
 */
export function hover(el: HTMLElement, props: Props, defs: HoverDefaults, disabled: () => boolean = () => false): () => void {
  let startTimer = 0;
  let stayTimer = 0;
  let applied: string[] = [];
  let startX = 0;
  let startY = 0;
  let pressing = false;

  const classNames = () => {
    const c = props.has("hoverClass") ? props.str("hoverClass") : defs.className;
    return c === "none" || c === "" ? [] : c.split(/\s+/).filter(Boolean);
  };
  const clear = () => {
    if (applied.length) el.classList.remove(...applied);
    applied = [];
  };
  const down = (e: PointerEvent) => {
    if (e.button > 0) return;
    if (hoverStopped.has(e)) return;
    if (props.bool("hoverStopPropagation")) hoverStopped.add(e);
    if (disabled()) return;
    const names = classNames();
    if (!names.length) return;
    pressing = true;
    startX = e.clientX;
    startY = e.clientY;
    clearTimeout(startTimer);
    clearTimeout(stayTimer);
    startTimer = window.setTimeout(() => {
      if (!pressing) return;
      clear();
      applied = classNames();
      if (applied.length) el.classList.add(...applied);
    }, props.num("hoverStartTime", defs.startTime));
  };
  const up = () => {
    if (!pressing) return;
    pressing = false;
    clearTimeout(startTimer);
    // A quick tap still shows the hover state, as WeChat does.
    if (!applied.length) {
      applied = classNames();
      if (applied.length) el.classList.add(...applied);
    }
    stayTimer = window.setTimeout(clear, props.num("hoverStayTime", defs.stayTime));
  };
  const move = (e: PointerEvent) => {
    if (!pressing) return;
    if (Math.abs(e.clientX - startX) > 10 || Math.abs(e.clientY - startY) > 10) {
      pressing = false;
      clearTimeout(startTimer);
      clear();
    }
  };
  const cancel = () => {
    pressing = false;
    clearTimeout(startTimer);
    clear();
  };
  el.addEventListener("pointerdown", down);
  el.addEventListener("pointermove", move);
  el.addEventListener("pointerup", up);
  el.addEventListener("pointercancel", cancel);
  el.addEventListener("pointerleave", up);
  return () => {
    clearTimeout(startTimer);
    clearTimeout(stayTimer);
    el.removeEventListener("pointerdown", down);
    el.removeEventListener("pointermove", move);
    el.removeEventListener("pointerup", up);
    el.removeEventListener("pointercancel", cancel);
    el.removeEventListener("pointerleave", up);
  };
}

/** Builds a widget whose update() stores the attribute and calls onChange(camelName). */
export function reactive(
  ctx: WidgetContext,
  onChange: (name: string, props: Props) => void,
): { props: Props; update(name: string, value: unknown): void } {
  const props = new Props(ctx.attrs);
  return {
    props,
    update(name: string, value: unknown) {
      if (CORE_ATTRS.has(name)) return;
      const key = props.set(name, value);
      onChange(key, props);
    },
  };
}

export type { Widget, WidgetContext };

/** Runs fn after the core has appended the initial children (they come after the factory). */
export function afterChildren(fn: () => void): void {
  queueMicrotask(() => requestAnimationFrame(() => fn()));
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Parses an HTML string without running or loading anything (for entity decoding and rich-text). */
export function inertDocument(html: string): Document {
  return new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html");
}
