// The interface between the view layer's core (DOM ops, events) and the
// built-in components (web/miniprogram/src/view/components). The core
// creates an element <wx-TAG> for every node; when TAG has a widget, the core
// calls its factory once and forwards every attribute change to update().

/** What the core hands a widget. */
export interface WidgetContext {
  /** The node's element (<wx-TAG>); children rendered by the logic layer are appended to `slot`. */
  el: HTMLElement;
  /** Attributes the logic layer sent at creation (rendering attrs, component properties). */
  attrs: Record<string, unknown>;
  /**
   * Send a component event to the logic layer (e.g. emit("input", {value, cursor, keyCode}),
   * emit("change", {value})). Bubbling and handler lookup happen in the logic layer.
   */
  emit(type: string, detail: Record<string, unknown>): void;
  /** Turn a package path or URL (image src, etc.) into a loadable URL. */
  resolveURL(src: string): string;
  /** rpx → px for the current window (WeChat's rounding). */
  rpx(n: number): number;
  /** The page's view API for overlays (pickers use it to show a bottom sheet over the page). */
  overlay(): HTMLElement;
}

/** A live widget. */
export interface Widget {
  /** Where the logic layer's children go; defaults to el. */
  slot?: HTMLElement;
  /** An attribute changed (value null = removed). */
  update?(name: string, value: unknown): void;
  /** Called before the element is removed. */
  destroy?(): void;
  /** For form: the value this field contributes under its `name` attribute (form-field behaviour). */
  formValue?(): unknown;
  /** For form reset. */
  reset?(): void;
}

export type WidgetFactory = (ctx: WidgetContext) => Widget;

const widgets = new Map<string, WidgetFactory>();

/** Register the widget for a built-in tag (without the "wx-" prefix). */
export function defineWidget(tag: string, factory: WidgetFactory): void {
  widgets.set(tag, factory);
}

/** The widget factory for tag, if it is a built-in component with behaviour. */
export function widgetFor(tag: string): WidgetFactory | undefined {
  return widgets.get(tag);
}

/** Every registered tag, for the API/component support table. */
export function widgetTags(): string[] {
  return [...widgets.keys()].sort();
}

const live = new WeakMap<Element, Widget>();

/** Called by the core after creating a widget for el. */
export function attachWidget(el: Element, w: Widget): void {
  live.set(el, w);
}

/** The live widget of an element (form uses it to collect and reset fields). */
export function widgetOf(el: Element): Widget | undefined {
  return live.get(el);
}

/**
 * Attributes the core handles itself. The core forwards none of them to a
 * widget's update() except class and style (hover-class and friends need
 * them); widgets built with util.reactive ignore all of them.
 */
export const CORE_ATTRS: ReadonlySet<string> = new Set(['class', 'style', 'id', 'hidden', '$ev', 'wx-host', 'wx-virtual', 'slot']);
