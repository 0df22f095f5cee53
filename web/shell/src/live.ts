// Live updates: one EventSource on /shell/api/events for the whole page.
// Events carry no content; views refetch what they show. After the stream
// was down, views hear a "resync" event, since they may have missed some.
import { useEffect, useRef } from 'preact/hooks';
import type { LiveEvent } from './api';

type Listener = (e: LiveEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
let everOpened = false;
let down = false;

function emit(e: LiveEvent) {
  listeners.forEach((l) => l(e));
}

function connect() {
  retry = undefined;
  const es = new EventSource('/shell/api/events');
  source = es;
  es.onopen = () => {
    if (everOpened && down) emit({ type: 'resync' });
    everOpened = true;
    down = false;
  };
  es.onmessage = (m) => {
    try {
      emit(JSON.parse(m.data) as LiveEvent);
    } catch {
      // not an event of ours
    }
  };
  es.onerror = () => {
    down = true;
    // The browser reconnects by itself after network errors; after an
    // answer that is not a stream (signed out, server restarting) it gives
    // up, so try again a little later.
    if (es.readyState === EventSource.CLOSED && source === es && retry === undefined) {
      retry = setTimeout(connect, 3000);
    }
  };
}

/** Opens the stream (once signed in). */
export function startLive(): void {
  if (!source) connect();
}

/** Closes the stream (on signing out). */
export function stopLive(): void {
  clearTimeout(retry);
  retry = undefined;
  source?.close();
  source = null;
  everOpened = false;
  down = false;
}

/** Calls fn with every live event while the calling component is mounted. */
export function useLive(fn: Listener): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
}
