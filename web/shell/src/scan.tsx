// /scan: a QR code's address pasted, or a picture of it that the server
// decodes. An official account's code follows it and opens the chat; a web
// address is offered to open; anything else is shown.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type ScanAnswer } from './api';
import { webURL } from './messages';
import { navigate } from './router';
import { miniProgramURL } from './miniprogram/container';
import { isMiniProgramLink, resolveMiniProgramLink, type CodeVia } from './links';
import { Button, Msg, NavBar } from './ui';

export function ScanPage() {
  const [url, setURL] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [found, setFound] = useState<ScanAnswer | null>(null);

  // scene is WeChat's for how a QR code was read: 1011 scanned (or its
  // address typed), 1013 picked from the album; a mini program code read
  // the same ways is 1047 (camera) or 1049 (album), a link its own scene
  // (the server's answer, links.tsx).
  const handle = async (f: () => Promise<ScanAnswer>, scene: number, via: CodeVia) => {
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      const a = await f();
      if (isMiniProgramLink(a.text)) {
        const launch = await resolveMiniProgramLink(a.text, via);
        navigate(launch.launch_url, true);
        return;
      }
      const mp = a.url ? miniProgramTarget(a.url, scene) : null;
      if (a.appid) navigate('/chats/' + encodeURIComponent(a.appid), true);
      else if (mp) navigate(mp, true);
      else setFound(a);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    handle(() => api.scanURL(url), 1011, 'camera');
  };
  const pick = (e: JSX.TargetedEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (file) handle(() => api.scanImage(file), 1013, 'album');
  };

  if (found) {
    const open = webURL(found.url);
    return (
      <div data-testid="scan-result">
        <NavBar title="Scan" back="/discover" />
        <Msg
          icon="info"
          title={open ? 'The code holds a web address' : 'The code holds text'}
          actions={
            <>
              {open && (
                <a class="weui-btn weui-btn_primary" href={open} rel="noopener noreferrer">
                  Open
                </a>
              )}
              <Button kind="default" onClick={() => setFound(null)}>
                Scan another
              </Button>
            </>
          }
        >
          <p class="weui-msg__desc oa-scan__text">{found.text}</p>
        </Msg>
      </div>
    );
  }

  return (
    <form class="oa-scan" onSubmit={submit} noValidate data-testid="scan-page">
      <NavBar title="Scan" back="/discover" />
      <div class="weui-form__text-area">
        <h2 class="weui-form__title">Scan a QR code</h2>
        <div class="weui-form__desc">Paste the address a QR code holds, or choose a picture of the code.</div>
      </div>
      <div class="weui-cells weui-cells_form">
        <label class={'weui-cell weui-cell_active' + (error?.field === 'url' ? ' weui-cell_warn' : '')} for="scan-url">
          <div class="weui-cell__hd">
            <span class="weui-label">Address</span>
          </div>
          <div class="weui-cell__bd">
            <input
              id="scan-url"
              class="weui-input"
              type="url"
              inputMode="url"
              placeholder="http://…/q/…"
              value={url}
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setURL(e.currentTarget.value)}
            />
          </div>
        </label>
      </div>
      {error && (
        <p class="weui-cells__tips shell-error" role="alert" data-testid="scan-error">
          {error.message}
        </p>
      )}
      <div class="weui-btn-area">
        <Button type="submit" busy={busy} testid="scan-open">
          Open
        </Button>
        <label class="weui-btn weui-btn_default oa-scan__pick" for="scan-image">
          Choose a picture…
        </label>
        <input id="scan-image" class="oa-scan__file" type="file" accept="image/*" aria-label="Picture of a QR code" onChange={pick} />
      </div>
    </form>
  );
}

/**
 * The container route for a scanned address of this platform's
 * /miniprogram/<appid>?path=… links, opened with the scan's scene; null for
 * anything else.
 */
export function miniProgramTarget(address: string, scene: number): string | null {
  let u: URL;
  try {
    u = new URL(address, location.href);
  } catch {
    return null;
  }
  const m = /^\/miniprogram\/([A-Za-z0-9_-]+)$/.exec(u.pathname);
  if (u.origin !== location.origin || !m) return null;
  const target = new URL(miniProgramURL(m[1], { path: u.searchParams.get('path') || undefined, scene }), location.href);
  const query = u.searchParams.get('query');
  if (query) target.searchParams.set('query', query);
  return target.pathname + target.search;
}
