// View-side parts of the wx APIs of src/logic/api: the calls the view
// answers from the frame's DOM (pickers, image preview, intersection
// observers, vibration, battery), the `animation` attribute, and the
// shell's events for the logic layer.
//
// The view core hands this module a ViewApiHost once (setViewApiHost),
// asks viewApi(name, args) before relaying a call to the shell (undefined:
// not ours), and gives every `animation` attribute to applyAnimation.
//
// Shell → frame {t:"event", name, data} is forwarded to the worker as
// {t:"apiEvent", name, data} (the worker's "event" is a DOM event).

import { applyAnimation } from './animation';
import { deviceCalls } from './device';
import { mediaCalls } from './media';
import { disconnectPage, liveObservers, observerCalls } from './observer';
import type { ViewApiHost, ViewCall } from './host';

export type { ViewApiHost } from './host';
export { applyAnimation, disconnectPage, liveObservers };

let host: ViewApiHost | null = null;
const calls: Record<string, ViewCall> = { ...mediaCalls, ...observerCalls, ...deviceCalls };

export function setViewApiHost(h: ViewApiHost): void {
  if (host) return;
  host = h;
  window.addEventListener('message', (e: MessageEvent) => {
    if (e.source !== window.parent) return;
    const m = e.data;
    if (m && typeof m === 'object' && m.t === 'event' && typeof m.name === 'string') h.toLogic({ t: 'apiEvent', name: m.name, data: m.data });
  });
}

/** The answer to a call this module handles, or undefined to let the core relay it. */
export function viewApi(name: string, args: unknown[]): Promise<unknown> | undefined {
  const f = Object.prototype.hasOwnProperty.call(calls, name) ? calls[name] : undefined;
  if (!f || !host) return undefined;
  return Promise.resolve().then(() => f(args, host!));
}
