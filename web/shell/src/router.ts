// A small history router: the shell's pages are real paths (/me, /signin…)
// that the server answers with the same index.html.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/**
 * Goes to path (with query), adding a history entry unless replace. Entries
 * pushed here are marked, so a back button knows a shell page lies behind.
 */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(history.state, '', to);
  else history.pushState({ shell: true }, '', to);
  listeners.forEach((l) => l());
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Only same-site paths may be a "next" after signing in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
