// /chats/{appid}: the conversation with an official account — its
// messages, live; the menu bar under them; a text input.
import { Fragment, type JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Menu, type MenuButton, type Message, type MiniProgramLink, type Profile, type Tap, type User } from './api';
import { useLive } from './live';
import { md5 } from './md5';
import { MessageRow, webURL, type MessageActions } from './messages';
import { miniProgramURL } from './miniprogram/container';
import { navigate } from './router';
import { Button, Loading, Msg, NavBar, shortTime, Toptips } from './ui';

/** Scene values (platform-rules.md §3.10) of the ways a conversation opens a mini program. */
const Scene = {
  MenuButton: 1035, // the official account's custom menu
  TemplateMessage: 1043,
  ChatCard: 1074, // a mini program card the account sent in its chat
} as const;

/** Opens a mini program with the scene of the way it was reached. */
export function openMiniProgram(mp: MiniProgramLink, scene: number) {
  navigate(miniProgramURL(mp.appid, { path: mp.pagepath || '', scene }));
}

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

/** Messages by id, oldest first, each once. */
function merge(old: Message[], fresh: Message[]): Message[] {
  const byID = new Map<number, Message>();
  for (const m of old) byID.set(m.id, m);
  for (const m of fresh) byID.set(m.id, m);
  return [...byID.values()].sort((a, b) => a.id - b.id);
}

/** A menu tap that first asks the user for something. */
interface Ask {
  kind: 'scan' | 'location';
  top: number;
  sub: number;
  button: MenuButton;
}

export function Conversation(props: { appid: string; user: User }) {
  const { appid } = props;
  const [profile, setProfile] = useState<Profile | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [msgs, setMsgs] = useState<Message[] | null>(null);
  const [more, setMore] = useState(false);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [mode, setMode] = useState<'menu' | 'keyboard'>('menu');
  const [openTop, setOpenTop] = useState<number | null>(null);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const [ask, setAsk] = useState<Ask | null>(null);
  const [busyFollow, setBusyFollow] = useState(false);

  const listRef = useRef<HTMLDivElement>(null);
  const picInput = useRef<HTMLInputElement>(null);
  const picTap = useRef<{ top: number; sub: number; button: MenuButton } | null>(null);
  const lastID = useRef(0); // the newest message id seen, hidden ones included
  const syncing = useRef(false);
  const again = useRef(false);
  const stick = useRef(true); // keep the view at the bottom when messages arrive
  const keepFromBottom = useRef<number | null>(null); // after loading older ones

  const loadAccount = () =>
    Promise.all([
      api.profile(appid).then(setProfile),
      api.menu(appid).then(
        (m) => setMenu(m && m.button.length ? m : null),
        () => setMenu(null), // a menu that cannot load leaves the keyboard
      ),
    ]);

  const markRead = () => {
    if (document.visibilityState === 'visible') api.markRead(appid).catch(() => {});
  };

  const loadNewest = async () => {
    const page = await api.messages(appid);
    lastID.current = page.last_id;
    setMore(page.more);
    setMsgs((old) => merge(old ?? [], page.messages));
  };

  // Fetches what came after the newest message seen; calls that arrive
  // while one runs make it go round once more instead of running twice.
  const syncNewer = async () => {
    if (syncing.current) {
      again.current = true;
      return;
    }
    syncing.current = true;
    try {
      do {
        again.current = false;
        if (lastID.current === 0) {
          await loadNewest();
          continue;
        }
        for (;;) {
          const page = await api.messages(appid, { after: lastID.current });
          lastID.current = page.last_id;
          if (page.messages.length) setMsgs((old) => merge(old ?? [], page.messages));
          if (!page.more) break;
        }
      } while (again.current);
      markRead();
    } catch (e) {
      setError(errorText(e));
    } finally {
      syncing.current = false;
    }
  };

  useEffect(() => {
    setMsgs(null);
    setProfile(null);
    setFailure(null);
    lastID.current = 0;
    Promise.all([loadAccount(), loadNewest()]).then(markRead, (e) =>
      setFailure(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e))),
    );
    const onVisible = () => document.visibilityState === 'visible' && markRead();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [appid]);

  // The account's customer service is typing (custom/typing): WeChat shows
  // it in the title until cancelled, a message arrives, or 15 s pass.
  const [typing, setTyping] = useState(false);
  const typingTimer = useRef<number | undefined>(undefined);
  const showTyping = (on: boolean) => {
    window.clearTimeout(typingTimer.current);
    setTyping(on);
    if (on) typingTimer.current = window.setTimeout(() => setTyping(false), 15000);
  };
  useEffect(() => () => window.clearTimeout(typingTimer.current), []);

  useLive((e) => {
    if (e.appid === appid && (e.type === 'typing' || e.type === 'typing_cancel' || e.type === 'message')) showTyping(e.type === 'typing');
    if (e.type === 'resync' || (e.type === 'message' && e.appid === appid)) syncNewer();
    if (e.type === 'resync' || (e.type === 'follow' && e.appid === appid)) loadAccount().catch((err) => setError(errorText(err)));
  });

  // Scrolling: stay at the bottom for new messages unless the user
  // scrolled up; keep the view still when older ones are put above.
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [msgs, mode, menu]);
  const onScroll = () => {
    const el = listRef.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };

  const loadOlder = async () => {
    if (!msgs?.length) return;
    try {
      const page = await api.messages(appid, { before: msgs[0].id });
      const el = listRef.current;
      if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
      setMore(page.more);
      setMsgs((old) => merge(old ?? [], page.messages));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const send = async (body: string, menuID?: string) => {
    if (!body.trim()) return;
    setSending(true);
    try {
      await api.send(appid, body, menuID);
      if (!menuID) setText('');
      stick.current = true;
      syncNewer();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSending(false);
    }
  };

  const tap = async (t: Tap, b: MenuButton) => {
    setOpenTop(null);
    setAsk(null);
    try {
      const r = await api.tap(appid, t);
      const mp = r.miniprogram ?? (b.type === 'miniprogram' && b.appid ? { appid: b.appid, pagepath: b.pagepath ?? '' } : undefined);
      const url = webURL(r.open_url) || (b.type === 'view' ? webURL(b.url) : '');
      if (mp) openMiniProgram(mp, Scene.MenuButton);
      else if (url) location.assign(url);
      else {
        stick.current = true;
        syncNewer();
      }
    } catch (e) {
      setError(errorText(e));
    }
  };

  const press = (top: number, sub: number, b: MenuButton) => {
    if (sub < 0 && b.sub_button?.length) {
      setOpenTop(openTop === top ? null : top);
      return;
    }
    setOpenTop(null);
    if (b.type === 'scancode_push' || b.type === 'scancode_waitmsg') setAsk({ kind: 'scan', top, sub, button: b });
    else if (b.type === 'location_select') setAsk({ kind: 'location', top, sub, button: b });
    else if (b.type?.startsWith('pic_')) {
      picTap.current = { top, sub, button: b };
      picInput.current?.click();
    } else tap({ top, sub }, b);
  };

  // A photo button sends the MD5 sums of up to 9 chosen pictures.
  const picked = async (e: JSX.TargetedEvent<HTMLInputElement>) => {
    const files = [...(e.currentTarget.files ?? [])].slice(0, 9);
    e.currentTarget.value = '';
    const p = picTap.current;
    if (!p || files.length === 0) return;
    const sums = await Promise.all(files.map(async (f) => md5(new Uint8Array(await f.arrayBuffer()))));
    tap({ top: p.top, sub: p.sub, pic_md5s: sums }, p.button);
  };

  const follow = async () => {
    setBusyFollow(true);
    try {
      setProfile(await api.follow(appid, 'ADD_SCENE_PROFILE_CARD'));
      await loadAccount();
      syncNewer();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusyFollow(false);
    }
  };

  if (failure) {
    return (
      <Msg icon="warn" title={failure.status === 404 ? 'No such account' : 'Cannot load'} testid="conversation-error" actions={<Button onClick={() => navigate('/chats')}>Back to Chats</Button>}>
        <p class="weui-msg__desc">{failure.message}</p>
      </Msg>
    );
  }
  if (!profile || !msgs) return <Loading />;

  const actions: MessageActions = {
    choose: (content, id) => send(content, id),
    // A template message's "details" link or a card: told apart by the message holding the link.
    openMiniProgram: (mp) => openMiniProgram(mp, msgs.some((m) => m.body.template?.miniprogram === mp) ? Scene.TemplateMessage : Scene.ChatCard),
  };
  const hasMenu = !!menu && profile.following;
  const showMenu = hasMenu && mode === 'menu';

  let prevAt = 0;
  const rows = msgs.map((m) => {
    const gap = m.created_at - prevAt > 300;
    prevAt = m.created_at;
    return (
      <Fragment key={m.id}>
        {gap && m.kind !== 'event' && <p class="oa-time">{shortTime(m.created_at, true)}</p>}
        <MessageRow m={m} account={profile.name} me={props.user} actions={actions} />
      </Fragment>
    );
  });

  return (
    <div class="oa-conversation" data-testid="conversation">
      <Toptips text={error} onClose={() => setError('')} />
      <NavBar
        title={typing ? 'Typing…' : profile.name}
        back="/chats"
        action={
          <button type="button" class="shell-navbar__icon" aria-label="Account profile" onClick={() => navigate('/oa/' + encodeURIComponent(appid))}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.3-8 5.2V21h16v-1.8c0-2.9-3.6-5.2-8-5.2z" />
            </svg>
          </button>
        }
      />
      <div class="oa-messages" ref={listRef} onScroll={onScroll} role="log" aria-live="polite" aria-label={'Messages with ' + profile.name} data-testid="messages">
        {more && (
          <button type="button" class="oa-older" onClick={loadOlder}>
            Earlier messages
          </button>
        )}
        {msgs.length === 0 && <p class="oa-time">No messages yet</p>}
        {rows}
      </div>
      {!profile.following ? (
        <div class="oa-footer oa-footer_follow">
          <p class="oa-footer__note">You do not follow {profile.name}.</p>
          <Button busy={busyFollow} onClick={follow} testid="conversation-follow">
            Follow
          </Button>
        </div>
      ) : (
        <div class="oa-footer">
          {showMenu && openTop !== null && menu!.button[openTop]?.sub_button?.length ? (
            <div
              class="oa-submenu"
              role="menu"
              aria-label={menu!.button[openTop].name}
              // Centred over its button (past the 48px toggle), kept inside the screen.
              style={{ left: `clamp(68px, calc(48px + (100% - 48px) * ${(openTop + 0.5) / menu!.button.length}), calc(100% - 68px))` }}
            >
              {menu!.button[openTop].sub_button!.map((b, i) => (
                <button type="button" role="menuitem" class="oa-submenu__item" onClick={() => press(openTop, i, b)}>
                  {b.name}
                </button>
              ))}
            </div>
          ) : null}
          <div class="oa-bar">
            {hasMenu && (
              <button
                type="button"
                class="oa-bar__toggle"
                aria-label={showMenu ? 'Switch to keyboard' : 'Switch to menu'}
                data-testid="toggle-input"
                onClick={() => {
                  setOpenTop(null);
                  setMode(showMenu ? 'keyboard' : 'menu');
                }}
              >
                {showMenu ? <KeyboardIcon /> : <MenuIcon />}
              </button>
            )}
            {showMenu ? (
              <nav class="oa-menu" aria-label="Menu">
                {menu!.button.map((b, i) => (
                  <button
                    type="button"
                    class={'oa-menu__button' + (openTop === i ? ' oa-menu__button_open' : '')}
                    aria-haspopup={b.sub_button?.length ? 'menu' : undefined}
                    aria-expanded={b.sub_button?.length ? openTop === i : undefined}
                    onClick={() => press(i, -1, b)}
                  >
                    {b.sub_button?.length ? (
                      <svg class="oa-menu__lines" viewBox="0 0 10 10" aria-hidden="true">
                        <path d="M0 1.5h10M0 5h10M0 8.5h10" stroke="currentColor" stroke-width="1" />
                      </svg>
                    ) : null}
                    {b.name}
                  </button>
                ))}
              </nav>
            ) : (
              <form
                class="oa-input"
                onSubmit={(e: JSX.TargetedEvent<HTMLFormElement>) => {
                  e.preventDefault();
                  send(text);
                }}
              >
                <label class="oa-input__label" for="oa-text">
                  Message
                </label>
                <textarea
                  id="oa-text"
                  class="oa-input__text"
                  rows={1}
                  value={text}
                  maxLength={2048}
                  placeholder={'Message ' + profile.name}
                  onInput={(e: JSX.TargetedEvent<HTMLTextAreaElement>) => setText(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                      e.preventDefault();
                      send(text);
                    }
                  }}
                />
                <button type="submit" class="weui-btn weui-btn_primary weui-btn_mini oa-input__send" disabled={sending || !text.trim()}>
                  Send
                </button>
              </form>
            )}
          </div>
        </div>
      )}
      <input ref={picInput} class="oa-scan__file" type="file" accept="image/*" multiple aria-hidden="true" tabIndex={-1} onChange={picked} />
      {ask && <AskSheet ask={ask} onCancel={() => setAsk(null)} onDone={(extra) => tap({ top: ask.top, sub: ask.sub, ...extra }, ask.button)} />}
    </div>
  );
}

function KeyboardIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <rect x="2.5" y="6" width="19" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M6 9.5h1M9 9.5h1M12 9.5h1M15 9.5h1M18 9.5h0.5M6 12h1M9 12h1M12 12h1M15 12h1M18 12h0.5M8 15h8" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

function MenuIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

/** Asks what a scan or location button needs before the tap is sent. */
function AskSheet(props: { ask: Ask; onCancel: () => void; onDone: (extra: Partial<Tap>) => void }) {
  const { ask } = props;
  const [code, setCode] = useState('');
  const [lat, setLat] = useState('39.9042');
  const [lng, setLng] = useState('116.4074');
  const [label, setLabel] = useState('Beijing');
  const submit = (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (ask.kind === 'scan') props.onDone({ scan_result: code });
    else props.onDone({ location: { latitude: Number(lat), longitude: Number(lng), scale: 15, label } });
  };
  const field = (id: string, name: string, value: string, set: (v: string) => void, type = 'text') => (
    <label class="weui-cell weui-cell_active" for={id}>
      <div class="weui-cell__hd">
        <span class="weui-label">{name}</span>
      </div>
      <div class="weui-cell__bd">
        <input id={id} class="weui-input" type={type} step="any" value={value} onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => set(e.currentTarget.value)} />
      </div>
    </label>
  );
  return (
    <div>
      <div class="weui-mask" onClick={props.onCancel} />
      <form class="weui-half-screen-dialog oa-sheet" role="dialog" aria-modal="true" aria-label={ask.button.name} onSubmit={submit}>
        <div class="weui-half-screen-dialog__hd">
          <div class="weui-half-screen-dialog__hd__main">
            <strong class="weui-half-screen-dialog__title">{ask.button.name}</strong>
            <span class="weui-half-screen-dialog__subtitle">
              {ask.kind === 'scan' ? 'What does the code you scan hold?' : 'Which place do you send?'}
            </span>
          </div>
        </div>
        <div class="weui-half-screen-dialog__bd">
          <div class="weui-cells">
            {ask.kind === 'scan' ? (
              field('ask-code', 'Scanned', code, setCode)
            ) : (
              <>
                {field('ask-lat', 'Latitude', lat, setLat, 'number')}
                {field('ask-lng', 'Longitude', lng, setLng, 'number')}
                {field('ask-label', 'Place', label, setLabel)}
              </>
            )}
          </div>
        </div>
        <div class="weui-half-screen-dialog__ft oa-sheet__ft">
          <Button kind="default" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button type="submit">Send</Button>
        </div>
      </form>
    </div>
  );
}
