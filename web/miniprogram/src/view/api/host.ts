// What the view core gives the view-side API code.

export interface ViewApiHost {
  /** Posts to the logic layer (events: {t:"apiEvent", name, data}). */
  toLogic(msg: { t: 'apiEvent'; name: string; data: unknown }): void;
  /** Relays a call to the shell. */
  relay(name: string, args: unknown[]): Promise<unknown>;
  /** A page's scrolling element and shadow root (null once closed). */
  page(id: number): { host: HTMLElement; shadow: ShadowRoot } | null;
  /** The layer for full-screen overlays. */
  overlay: HTMLElement;
  /** A package path (absolute or relative to base) or URL → a loadable URL. */
  resolveURL(src: string, base?: string): string;
}

export type ViewCall = (args: unknown[], host: ViewApiHost) => unknown;
