// /miniprogram/<appid>?path=…&query=…&scene=…: a mini program full screen.
// The frame itself lives outside the page tree (session.ts) so it survives
// leaving this route; this component shows it, draws the capsule (… menu,
// ⊙ close) over it and the sheets its calls need.
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { navigate } from '../router';
import { Button, Msg, NavBar, goBack } from '../ui';
import type { Ask, BridgeUI } from './bridge';
import { isStarred, setStarred, touch } from './recent';
import { useDevReload } from './devreload';
import { existingSession, splitPath, startSession, type LaunchParams, type Session, type SessionState } from './session';

/** Scene values (platform-rules.md §3.10) the shell opens mini programs with. */
export const Scene = {
  Default: 1001, // Discover → recently used
  Search: 1005,
  OtherMiniProgram: 1037,
  BackFromMiniProgram: 1038,
  MyMiniPrograms: 1103,
  HomeScreen: 1023,
} as const;

/** The link that opens appid at page path. */
export function miniProgramURL(appid: string, opts: { path?: string; scene?: number; envVersion?: string } = {}): string {
  const q = new URLSearchParams();
  if (opts.path) q.set('path', opts.path);
  if (opts.scene) q.set('scene', String(opts.scene));
  if (opts.envVersion && opts.envVersion !== 'release') q.set('env_version', opts.envVersion);
  const qs = q.toString();
  return '/miniprogram/' + encodeURIComponent(appid) + (qs ? '?' + qs : '');
}

/** Referrers of mini programs opened by navigateToMiniProgram, by target. */
const referrers = new Map<string, { appId: string; extraData?: unknown }>();
/** A mini program that opened another and is waiting to be returned to. */
let returning: { to: string; from: string } | null = null;

// The browser's install prompt, kept for the menu's "Add to Home Screen".
let installPrompt: (Event & { prompt?: () => Promise<void> }) | null = null;
addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  installPrompt = e;
});

function launchParams(appid: string, query: URLSearchParams): LaunchParams {
  const { path, query: pathQuery } = splitPath(query.get('path') ?? '');
  const extra = Object.fromEntries(new URLSearchParams(query.get('query') ?? ''));
  const scene = Number(query.get('scene')) || Scene.Default;
  const params: LaunchParams = { path, query: { ...pathQuery, ...extra }, scene };
  const ref = referrers.get(appid);
  if (ref && scene === Scene.OtherMiniProgram) {
    params.referrerInfo = ref;
    referrers.delete(appid);
  }
  return params;
}

export function MiniProgramContainer(props: { appid: string; user: User; query: URLSearchParams }) {
  const { appid, user } = props;
  const [session, setSession] = useState<Session | null>(null);
  const [state, setState] = useState<SessionState | null>(null);
  const [menu, setMenu] = useState(false);
  const [ask, setAsk] = useState<{ ask: Ask; answer: (ok: boolean) => void } | null>(null);
  const [toast, setToast] = useState('');
  const [info, setInfo] = useState('');
  const [generation, setGeneration] = useState(0);
  const [starred, setStarredState] = useState(() => isStarred(user.id, appid));
  const params = useMemo(() => launchParams(appid, props.query), [appid, props.query.toString()]);

  const link = (path: string) => location.origin + miniProgramURL(appid, { path });
  const showToast = (text: string) => {
    setToast(text);
    setTimeout(() => setToast(''), 1500);
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      showToast('Link copied');
    } catch {
      setInfo(text);
    }
  };
  const ui = useRef<BridgeUI>({
    confirm: (a, signal) =>
      new Promise((answer) => {
        const entry = { ask: a, answer };
        // The session hid or ended: the sheet goes (the call has failed with cancel).
        signal.addEventListener('abort', () => setAsk((cur) => (cur === entry ? null : cur)), { once: true });
        setAsk(entry);
      }),
    close: () => goBack('/discover'),
    openMiniProgram: (target, path, referrer, envVersion) => {
      referrers.set(target, referrer);
      returning = { to: appid, from: target };
      navigate(miniProgramURL(target, { path, scene: Scene.OtherMiniProgram, envVersion }));
    },
    share: async (title, path) => {
      const url = link(path);
      if (navigator.share) {
        await navigator.share({ title, url }).catch(() => undefined);
      } else await copy(url);
    },
  });

  // Show the app's session (warm) or start one (cold); leaving hides it.
  // A layout effect: it runs right after this render, where useEffect
  // would wait for the next frame (≈ 10–15 ms of a launch).
  useLayoutEffect(() => {
    let s = existingSession(user, appid);
    if (s && s.state.phase === 'failed') {
      s.destroy();
      s = undefined;
    }
    if (s) {
      // Opened again while running: with a page (a scan, a share card, a
      // link with a path) it relaunches there; from another mini program
      // (1037) it gets that app's referrerInfo and extraData.
      let show: Partial<LaunchParams> = {
        scene: params.scene,
        path: params.path || undefined,
        query: params.path ? params.query : undefined,
        referrerInfo: params.referrerInfo,
      };
      if (returning?.to === appid) {
        show = { scene: Scene.BackFromMiniProgram, referrerInfo: { appId: returning.from } };
      }
      s.show(ui.current, show);
    } else {
      s = startSession(user, appid, params);
      s.show(ui.current);
    }
    if (returning?.to === appid) returning = null;
    setSession(s);
    setState(s.state);
    const unsubscribe = s.subscribe(() => setState(s!.state));
    return () => {
      unsubscribe();
      s!.hide();
    };
  }, [appid, user.id, generation, params]);

  // While open, the page offers the mini program's own web app manifest.
  useEffect(() => {
    const l = document.createElement('link');
    l.rel = 'manifest';
    l.href = '/mp/webmanifest/' + encodeURIComponent(appid);
    document.head.appendChild(l);
    return () => l.remove();
  }, [appid]);

  useEffect(() => {
    if (state?.name && state.phase !== 'failed') touch(user.id, { appid, name: state.name });
  }, [state?.name, state?.phase]);

  // superapp dev DIR: a new build cold-starts the mini program; a failed
  // one shows its errors over it.
  const devErrors = useDevReload(
    appid,
    () => (session?.state.phase === 'failed' ? null : session?.launch?.build.manifest_hash),
    () => {
      session?.destroy();
      setGeneration((g) => g + 1);
    },
  );

  if (!state) return null;
  if (state.phase === 'failed') {
    const e = state.error ?? { code: 'unknown', message: '' };
    const where = params.path ? 'page ' + params.path + (Object.keys(params.query).length ? '?' + new URLSearchParams(params.query) : '') : 'its home page';
    const text =
      e.code === 'no_build'
        ? `Mini program ${appid} has not been published yet, so ${where} cannot open.`
        : e.code === 'not_found'
          ? `There is no mini program ${appid}.`
          : `Mini program ${appid} cannot start (${where}): ${e.message}`;
    return (
      <div class="oa-page" data-testid="miniprogram-page">
        <NavBar title="Mini Program" back="/discover" />
        <Msg
          icon={e.code === 'no_build' ? 'info' : 'warn'}
          title={e.code === 'no_build' ? 'Not available yet' : 'Cannot open'}
          testid="miniprogram-error"
          actions={
            e.code === 'not_found' || e.code === 'no_build' ? undefined : (
              <Button onClick={() => setGeneration((g) => g + 1)} testid="mp-retry">
                Try again
              </Button>
            )
          }
        >
          <p class="weui-msg__desc" data-testid="miniprogram-text">
            {text}
          </p>
        </Msg>
        {devErrors}
      </div>
    );
  }

  const dark = /^#?fff(fff)?$/i.test(state.frontColor);
  const answer = (ok: boolean) => {
    ask?.answer(ok);
    setAsk(null);
  };
  const menuItem = (label: string, testid: string, act: () => void) => (
    <div
      class="weui-actionsheet__cell"
      role="button"
      tabIndex={0}
      data-testid={testid}
      onClick={() => {
        setMenu(false);
        act();
      }}
    >
      {label}
    </div>
  );
  return (
    <div
      class="mp-container"
      data-testid="mp-container"
      data-appid={appid}
      data-phase={state.phase}
      data-title={state.title}
      data-scene={params.scene}
    >
      {state.phase === 'loading' && (
        <div class="mp-splash" data-testid="mp-loading" aria-busy="true">
          <span class="mp-splash__icon" aria-hidden="true">
            {Array.from(state.name || appid)[0]}
          </span>
          <p class="mp-splash__name">{state.name}</p>
          <span class="weui-primary-loading">
            <span class="weui-primary-loading__dot" />
          </span>
        </div>
      )}
      {state.frameError && (
        <div class="weui-toptips weui-toptips_warn mp-error" role="alert" data-testid="mp-frame-error">
          {state.frameError}
        </div>
      )}
      <div class={'mp-capsule' + (dark ? ' mp-capsule_dark' : '')} data-testid="mp-capsule">
        <button type="button" class="mp-capsule__btn" aria-label="More" data-testid="mp-menu" onClick={() => setMenu(true)}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="5" cy="12" r="2" />
            <circle cx="12" cy="12" r="2.6" />
            <circle cx="19" cy="12" r="2" />
          </svg>
        </button>
        <span class="mp-capsule__sep" />
        <button type="button" class="mp-capsule__btn" aria-label="Close" data-testid="mp-close" onClick={() => goBack('/discover')}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2" />
            <circle cx="12" cy="12" r="3" />
          </svg>
        </button>
      </div>
      {menu && (
        <div class="mp-sheet">
          <div class="weui-mask" onClick={() => setMenu(false)} />
          <div class="weui-actionsheet weui-actionsheet_toggle" role="menu" aria-label={state.name} data-testid="mp-menu-sheet">
            <div class="weui-actionsheet__title">
              <p class="weui-actionsheet__title-text">{state.name}</p>
            </div>
            <div class="weui-actionsheet__menu">
              {menuItem('Share', 'mp-share', () => ui.current.share(state.title || state.name, state.path))}
              {menuItem('Copy link', 'mp-copy-link', () => copy(link(state.path)))}
              {menuItem('Add to Home Screen', 'mp-add-home', () => {
                if (installPrompt?.prompt) installPrompt.prompt().catch(() => undefined);
                else setInfo('Use your browser’s menu → “Add to Home screen” (or “Install app”): the icon opens this mini program directly.');
              })}
              {menuItem(starred ? 'Unstar' : 'Star', 'mp-star', () => {
                setStarred(user.id, { appid, name: state.name }, !starred);
                setStarredState(!starred);
                showToast(starred ? 'Removed from My Mini Programs' : 'Added to My Mini Programs');
              })}
              {menuItem('Re-enter Mini Program', 'mp-reenter', () => {
                session?.destroy();
                setGeneration((g) => g + 1);
              })}
            </div>
            <div class="weui-actionsheet__action">
              <div class="weui-actionsheet__cell" role="button" tabIndex={0} onClick={() => setMenu(false)}>
                Cancel
              </div>
            </div>
          </div>
        </div>
      )}
      {ask && <AskSheet ask={ask.ask} user={user} onAnswer={answer} />}
      {info && (
        <div class="mp-sheet">
          <div class="weui-mask" />
          <div class="weui-dialog" role="dialog" aria-modal="true">
            <div class="weui-dialog__bd mp-info" data-testid="mp-info">
              {info}
            </div>
            <div class="weui-dialog__ft">
              <button type="button" class="weui-dialog__btn weui-dialog__btn_primary" onClick={() => setInfo('')}>
                OK
              </button>
            </div>
          </div>
        </div>
      )}
      {toast && (
        <div class="mp-toast" role="status" data-testid="mp-toast">
          {toast}
        </div>
      )}
      {devErrors}
    </div>
  );
}

/** The sheets a mini program's calls raise: consent, a call, another mini program. */
function AskSheet(props: { ask: Ask; user: User; onAnswer: (ok: boolean) => void }) {
  const a = props.ask;
  let title = '';
  let body: JSX.Element;
  let confirm = 'Allow';
  switch (a.kind) {
    case 'profile':
      title = `${a.app || 'This mini program'} asks for your profile`;
      body = (
        <div class="mp-consent">
          {a.desc && <p class="mp-consent__desc">{a.desc}</p>}
          <div class="mp-consent__user" data-testid="mp-consent-user">
            {props.user.avatar_url ? <img class="shell-avatar shell-avatar_s" src={props.user.avatar_url} alt="" /> : null}
            <span>{props.user.name}</span>
          </div>
          <p class="mp-consent__note">Your nickname and profile picture.</p>
        </div>
      );
      break;
    case 'phone':
      title = 'Call ' + a.number + '?';
      body = <p>Your phone will dial this number.</p>;
      confirm = 'Call';
      break;
    case 'open':
      title = 'Open another mini program?';
      body = (
        <p>
          {a.app || 'This mini program'} wants to open mini program {a.target}.
        </p>
      );
      confirm = 'Open';
      break;
  }
  return (
    <div class="mp-sheet" data-testid={'mp-ask-' + a.kind}>
      <div class="weui-mask" />
      <div class="weui-dialog" role="dialog" aria-modal="true" aria-label={title}>
        <div class="weui-dialog__hd">
          <strong class="weui-dialog__title">{title}</strong>
        </div>
        <div class="weui-dialog__bd">{body}</div>
        <div class="weui-dialog__ft">
          <button type="button" class="weui-dialog__btn weui-dialog__btn_default" data-testid="mp-deny" onClick={() => props.onAnswer(false)}>
            {a.kind === 'profile' ? 'Deny' : 'Cancel'}
          </button>
          <button type="button" class="weui-dialog__btn weui-dialog__btn_primary" data-testid="mp-allow" onClick={() => props.onAnswer(true)}>
            {confirm}
          </button>
        </div>
      </div>
    </div>
  );
}
