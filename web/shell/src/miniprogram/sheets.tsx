// The sheets a mini program's calls raise that the container does not
// draw itself: scope consent (wx.authorize, getLocation…), the settings
// page (wx.openSetting) and the scanner (wx.scanCode). Each is rendered
// above the frame and the capsule, answers once and goes away — or goes
// away unanswered when its signal aborts (the session hid or ended).
import type { JSX } from 'preact';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { SCOPES, type Grants } from './scopes';

/**
 * Shows what build makes until it calls done; resolves with done's value,
 * or rejects (and removes the sheet) when signal aborts.
 */
function sheet<T>(build: (done: (v: T) => void) => JSX.Element, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(new Error('cancel'));
  const host = document.createElement('div');
  host.className = 'mp-sheet-host';
  // Above the frames (50) and the container's capsule and sheets (60–70).
  host.style.cssText = 'position:fixed;inset:0;z-index:80';
  document.body.appendChild(host);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      signal?.removeEventListener('abort', abort);
      render(null, host);
      host.remove();
    };
    const done = (v: T) => {
      if (settled) return;
      finish();
      resolve(v);
    };
    const abort = () => {
      if (settled) return;
      finish();
      reject(new Error('cancel'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    render(build(done), host);
  });
}

/** Asks the user to let the mini program use scope; true when they allow it. */
export function askScope(app: string, scope: string, signal?: AbortSignal): Promise<boolean> {
  return sheet<boolean>((done) => (
    <div class="mp-sheet" data-testid="mp-ask-scope" data-scope={scope}>
      <div class="weui-mask" />
      <div class="weui-dialog" role="dialog" aria-modal="true" aria-label={`${app || 'This mini program'} asks for permission`}>
        <div class="weui-dialog__hd">
          <strong class="weui-dialog__title">{app || 'This mini program'} asks to</strong>
        </div>
        <div class="weui-dialog__bd">
          <p data-testid="mp-scope-text">{SCOPES[scope] ?? scope}</p>
        </div>
        <div class="weui-dialog__ft">
          <button type="button" class="weui-dialog__btn weui-dialog__btn_default" data-testid="mp-deny" onClick={() => done(false)}>
            Deny
          </button>
          <button type="button" class="weui-dialog__btn weui-dialog__btn_primary" data-testid="mp-allow" onClick={() => done(true)}>
            Allow
          </button>
        </div>
      </div>
    </div>
  ), signal);
}

function Settings(props: { app: string; grants: Grants; done: (g: Grants) => void }) {
  const [g, setG] = useState<Grants>(props.grants);
  const scopes = Object.keys(g);
  return (
    <div class="mp-sheet" data-testid="mp-settings" style="background:#ededed;overflow:auto">
      <h2 style="margin:0;padding:16px;font-size:17px;font-weight:500;text-align:center;background:#fff">Settings</h2>
      <div class="weui-cells__title">Allow {props.app || 'this mini program'} to</div>
      {scopes.length === 0 ? (
        <p class="weui-cells__tips" data-testid="mp-settings-empty">
          This mini program has not asked for any permission.
        </p>
      ) : (
        <div class="weui-cells weui-cells_form">
          {scopes.map((scope) => (
            <label class="weui-cell weui-cell_switch" key={scope}>
              <div class="weui-cell__bd">{SCOPES[scope] ?? scope}</div>
              <div class="weui-cell__ft">
                <input
                  class="weui-switch"
                  type="checkbox"
                  data-testid="mp-setting"
                  data-scope={scope}
                  checked={g[scope]}
                  onChange={(e: JSX.TargetedEvent<HTMLInputElement>) => setG({ ...g, [scope]: e.currentTarget.checked })}
                />
              </div>
            </label>
          ))}
        </div>
      )}
      <div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_primary" data-testid="mp-settings-done" onClick={() => props.done(g)}>
          Done
        </button>
      </div>
    </div>
  );
}

/** The settings page: the scopes the app asked for, each a switch; resolves with the user's choice. */
export function settingsSheet(app: string, grants: Grants, signal?: AbortSignal): Promise<Grants> {
  return sheet<Grants>((done) => <Settings app={app} grants={grants} done={done} />, signal);
}

export interface ScanResult {
  result: string;
  scanType: string;
  charSet: string;
  rawData?: string;
  path?: string;
}

/** Decodes a picture: the code's content, or null when it holds no code. */
export type Decoder = (picture: Blob) => Promise<ScanResult | null>;

/** How often a camera frame is sent to the decoder. */
const FRAME_INTERVAL_MS = 800;

function Scanner(props: { onlyFromCamera: boolean; decode: Decoder; done: (r: ScanResult | null) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<'starting' | 'on' | 'off'>('starting');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    let decoding = false;
    const canvas = document.createElement('canvas');
    const frame = () => {
      const v = video.current;
      if (decoding || !v || !v.videoWidth) return;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      canvas.getContext('2d')?.drawImage(v, 0, 0);
      decoding = true;
      canvas.toBlob(
        (b) => {
          if (!b || stopped) return void (decoding = false);
          props.decode(b).then(
            (r) => {
              decoding = false;
              if (r && !stopped) props.done(r);
            },
            () => (decoding = false),
          );
        },
        'image/jpeg',
        0.9,
      );
    };
    if (navigator.mediaDevices?.getUserMedia) {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(
        (s) => {
          if (stopped) return s.getTracks().forEach((t) => t.stop());
          stream = s;
          if (video.current) {
            video.current.srcObject = s;
            video.current.play().catch(() => undefined);
          }
          setCamera('on');
          timer = setInterval(frame, FRAME_INTERVAL_MS);
        },
        () => setCamera('off'),
      );
    } else setCamera('off');
    return () => {
      stopped = true;
      clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  const pick = async (e: JSX.TargetedEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (!file) return;
    setBusy(true);
    setNote('');
    try {
      const r = await props.decode(file);
      if (r) props.done(r);
      else setNote('No code was found in this picture.');
    } catch (err) {
      setNote(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="mp-sheet mp-scanner" data-testid="mp-scan" data-camera={camera} style="background:#000;color:#fff;display:flex;flex-direction:column">
      <div style="flex:1;position:relative;overflow:hidden">
        <video ref={video} muted playsInline style={'width:100%;height:100%;object-fit:cover' + (camera === 'on' ? '' : ';display:none')} />
        {camera !== 'on' && (
          <p style="position:absolute;top:40%;left:0;right:0;text-align:center;padding:0 24px" data-testid="mp-scan-status">
            {camera === 'starting' ? 'Starting the camera…' : props.onlyFromCamera ? 'The camera is not available.' : 'The camera is not available; choose a picture of the code.'}
          </p>
        )}
      </div>
      {note && (
        <p role="alert" data-testid="mp-scan-note" style="margin:0;padding:8px 16px;text-align:center;color:#fa5151">
          {note}
        </p>
      )}
      <div style="display:flex;gap:12px;padding:16px">
        <button
          type="button"
          class="weui-btn"
          style="margin:0;flex:1;width:auto;min-width:0;box-sizing:border-box;background:rgba(255,255,255,.15);color:#fff"
          data-testid="mp-scan-cancel"
          onClick={() => props.done(null)}
        >
          Cancel
        </button>
        {!props.onlyFromCamera && (
          <label class={'weui-btn weui-btn_primary' + (busy ? ' weui-btn_loading' : '')} style="margin:0;flex:1;width:auto;min-width:0;box-sizing:border-box" data-testid="mp-scan-pick">
            {busy ? 'Reading…' : 'Choose a picture'}
            <input type="file" accept="image/*" hidden data-testid="mp-scan-file" aria-label="Picture of a code" onChange={pick} disabled={busy} />
          </label>
        )}
      </div>
    </div>
  );
}

/** The scanner: the result, or null when the user cancels. */
export function scanSheet(onlyFromCamera: boolean, decode: Decoder, signal?: AbortSignal): Promise<ScanResult | null> {
  return sheet<ScanResult | null>((done) => <Scanner onlyFromCamera={onlyFromCamera} decode={decode} done={done} />, signal);
}

/** Asks whether to leave for a web page (web-view's "Open in browser"); true when the user agrees. */
export function openLinkSheet(app: string, url: string, signal?: AbortSignal): Promise<boolean> {
  return sheet<boolean>((done) => (
    <div class="mp-sheet" data-testid="mp-ask-link">
      <div class="weui-mask" />
      <div class="weui-dialog" role="dialog" aria-modal="true" aria-label="Open a web page">
        <div class="weui-dialog__hd">
          <strong class="weui-dialog__title">Open this page in the browser?</strong>
        </div>
        <div class="weui-dialog__bd">
          <p>{app || 'This mini program'} links to</p>
          <p class="mp-info" data-testid="mp-link-url">
            {url}
          </p>
        </div>
        <div class="weui-dialog__ft">
          <button type="button" class="weui-dialog__btn weui-dialog__btn_default" data-testid="mp-deny" onClick={() => done(false)}>
            Cancel
          </button>
          <button type="button" class="weui-dialog__btn weui-dialog__btn_primary" data-testid="mp-allow" onClick={() => done(true)}>
            Open
          </button>
        </div>
      </div>
    </div>
  ), signal);
}

/** What the user chose in the subscribe sheet. */
export interface SubscribeChoice {
  accepted: string[];
  keep: boolean;
}

function Subscribe(props: { app: string; templates: { id: string; title: string }[]; done: (c: SubscribeChoice) => void }) {
  const [on, setOn] = useState<Record<string, boolean>>(Object.fromEntries(props.templates.map((t) => [t.id, true])));
  const [keep, setKeep] = useState(false);
  const many = props.templates.length > 1;
  return (
    <div class="mp-sheet" data-testid="mp-subscribe">
      <div class="weui-mask" />
      <div class="weui-half-screen-dialog" role="dialog" aria-modal="true" aria-label={`${props.app || 'This mini program'} asks to send you notifications`} style="position:fixed;left:0;right:0;bottom:0;background:#fff;border-radius:12px 12px 0 0;padding:16px 16px 24px">
        <p style="margin:0 0 12px;font-weight:500">{props.app || 'This mini program'} asks to send you the following</p>
        <div class="weui-cells weui-cells_checkbox">
          {props.templates.map((t) => (
            <label class="weui-cell weui-check__label" key={t.id}>
              <div class="weui-cell__bd">
                <p data-testid="mp-subscribe-title">{t.title}</p>
              </div>
              {many && (
                <div class="weui-cell__ft">
                  <input
                    type="checkbox"
                    data-testid="mp-subscribe-item"
                    data-id={t.id}
                    checked={on[t.id]}
                    onChange={(e: JSX.TargetedEvent<HTMLInputElement>) => setOn({ ...on, [t.id]: e.currentTarget.checked })}
                  />
                </div>
              )}
            </label>
          ))}
        </div>
        <label style="display:flex;gap:8px;align-items:center;margin:12px 0;font-size:14px;color:#576b95">
          <input type="checkbox" data-testid="mp-subscribe-keep" checked={keep} onChange={(e: JSX.TargetedEvent<HTMLInputElement>) => setKeep(e.currentTarget.checked)} />
          Always keep this choice and don't ask again
        </label>
        <div style="display:flex;gap:12px">
          <button type="button" class="weui-btn weui-btn_default" style="margin:0;flex:1" data-testid="mp-deny" onClick={() => props.done({ accepted: [], keep })}>
            Cancel
          </button>
          <button
            type="button"
            class="weui-btn weui-btn_primary"
            style="margin:0;flex:1"
            data-testid="mp-allow"
            onClick={() => props.done({ accepted: props.templates.filter((t) => on[t.id]).map((t) => t.id), keep })}
          >
            Allow
          </button>
        </div>
      </div>
    </div>
  );
}

/** wx.requestSubscribeMessage's sheet: which templates the user accepts, and whether to keep the choice. Cancel rejects all. */
export function subscribeSheet(app: string, templates: { id: string; title: string }[], signal?: AbortSignal): Promise<SubscribeChoice> {
  return sheet<SubscribeChoice>((done) => <Subscribe app={app} templates={templates} done={done} />, signal);
}
