// The developer loop in the page (`superapp dev DIR`, internal/miniprogram/
// devloop): in dev mode the container follows its mini program's builds on
// GET /shell/api/mp/<appid>/dev/events. A new good build cold-starts the
// mini program (like DevTools' "compile": state is lost); a failed one
// shows its errors over the page while the last good build keeps running.
import { h, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';

/** A compile problem, as internal/miniprogram/diag reports it. */
export interface DevError {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

interface DevEvent {
  type: 'build' | 'error';
  appid: string;
  hash?: string;
  errors?: DevError[];
  seq: number;
}

/** "file:line:col: message", as the terminal prints it. */
export function formatDevError(e: DevError): string {
  let where = e.file;
  if (e.line) where += ':' + e.line + (e.col ? ':' + e.col : '');
  return where + ': ' + e.message;
}

// Asked once per page: production servers have no build stream.
let devMode: Promise<boolean> | null = null;
function isDevServer(): Promise<boolean> {
  devMode ??= api.config().then(
    (c) => c.dev,
    () => false,
  );
  return devMode;
}

/**
 * Follows appid's dev builds while the calling container is mounted.
 * runningHash says what runs: the build's manifest hash, undefined while
 * the launch is under way (it will get the newest build anyway), null when
 * the launch failed (any build is worth a retry). reload cold-starts the
 * mini program. Returns the error overlay, or null.
 */
export function useDevReload(appid: string, runningHash: () => string | null | undefined, reload: () => void): ComponentChild {
  const [errors, setErrors] = useState<DevError[] | null>(null);
  const [dismissed, setDismissed] = useState(0);
  const [seq, setSeq] = useState(0);
  const current = useRef({ runningHash, reload });
  current.current = { runningHash, reload };

  useEffect(() => {
    let source: EventSource | null = null;
    let stopped = false;
    isDevServer().then((dev) => {
      if (!dev || stopped) return;
      source = new EventSource('/shell/api/mp/' + encodeURIComponent(appid) + '/dev/events');
      source.onmessage = (m) => {
        let e: DevEvent;
        try {
          e = JSON.parse(m.data) as DevEvent;
        } catch {
          return;
        }
        setSeq(e.seq);
        if (e.type === 'error') {
          setErrors(e.errors ?? []);
          return;
        }
        setErrors(null);
        const running = current.current.runningHash();
        if (running === null || (running !== undefined && running !== e.hash)) current.current.reload();
      };
    });
    return () => {
      stopped = true;
      source?.close();
    };
  }, [appid]);

  if (!errors || dismissed === seq) return null;
  return h(
    'div',
    { class: 'mp-dev-errors', role: 'alert', 'data-testid': 'mp-dev-errors', style: overlayStyle },
    h(
      'div',
      { style: 'display:flex;align-items:center;gap:8px;margin-bottom:8px' },
      h('strong', { style: 'flex:1;color:#fa5151;font-size:14px' }, `Build failed: ${errors.length} error${errors.length === 1 ? '' : 's'}`),
      h(
        'button',
        { type: 'button', 'aria-label': 'Dismiss', 'data-testid': 'mp-dev-errors-close', style: closeStyle, onClick: () => setDismissed(seq) },
        '×',
      ),
    ),
    h(
      'ul',
      { style: 'margin:0;padding:0;list-style:none' },
      errors.map((e, i) => h('li', { key: i, 'data-testid': 'mp-dev-error', style: 'margin:0 0 6px;white-space:pre-wrap;word-break:break-word' }, formatDevError(e))),
    ),
    h('p', { style: 'margin:8px 0 0;color:#bbb;font-family:system-ui,sans-serif' }, 'The last good build keeps running. Save a fix to rebuild.'),
  );
}

// Inline, so the overlay needs nothing from the shell's stylesheet; fixed
// above the frame, the capsule and a failed launch's page alike.
const overlayStyle =
  'position:fixed;left:8px;right:8px;top:44px;max-height:70vh;overflow:auto;z-index:80;box-sizing:border-box;' +
  'padding:12px;border-left:4px solid #fa5151;border-radius:8px;background:rgba(24,24,24,.95);color:#f5f5f5;' +
  'font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 16px rgba(0,0,0,.3);pointer-events:auto';
const closeStyle = 'border:0;background:none;color:#f5f5f5;font-size:20px;line-height:1;cursor:pointer;padding:0 4px';
