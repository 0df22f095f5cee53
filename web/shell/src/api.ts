// The shell's JSON API (/shell/api/), served by internal/shell.

export interface User {
  id: string;
  name: string;
  phone?: string;
  avatar_url: string;
  gender: number;
  country: string;
  province: string;
  city: string;
  language: string;
  test_user: boolean;
  created_at: number;
}

export interface Config {
  dev: boolean;
}

export interface ProfileChange {
  name?: string;
  avatar_url?: string;
  gender?: number;
  country?: string;
  province?: string;
  city?: string;
}

/** An authorization request as the server validated it. */
export interface OAuthRequest {
  app: { appid: string; name: string };
  scope: 'snsapi_base' | 'snsapi_userinfo';
  needs_consent: boolean;
  redirect_host: string;
}

/** An official account as search lists it. */
export interface Account {
  appid: string;
  name: string;
  kind: 'subscription' | 'service';
  following: boolean;
}

/** An official account's profile page. */
export interface Profile extends Account {
  subject: string;
  certified: boolean;
  followers: number;
  followed_at?: number;
}

export interface Article {
  title: string;
  description?: string;
  picurl?: string;
  url?: string;
}

export interface MiniProgramLink {
  appid: string;
  pagepath: string;
  title?: string;
  thumb_url?: string;
}

export interface TemplateField {
  key: string;
  label?: string;
  value: string;
  color?: string;
}

/** A message's content; which fields are set depends on its kind. */
export interface Body {
  text?: string;
  media_id?: string;
  url?: string;
  title?: string;
  description?: string;
  music_url?: string;
  hq_music_url?: string;
  thumb_url?: string;
  articles?: Article[];
  menu?: { head_content?: string; list: { id: string; content: string }[]; tail_content?: string };
  miniprogram?: MiniProgramLink;
  template?: { template_id: string; title: string; url?: string; miniprogram?: MiniProgramLink; fields: TemplateField[] };
  location?: { latitude: number; longitude: number; scale: number; label: string };
}

/** One message of a conversation: in = the user's, out = the account's, notice = the platform's. */
export interface Message {
  id: number;
  appid: string;
  direction: 'in' | 'out' | 'notice';
  kind: string;
  source: string;
  body: Body;
  created_at: number;
}

export interface Chat {
  appid: string;
  name: string;
  kind: string;
  subscribed: boolean;
  last?: Message;
  unread: number;
  at: number;
}

export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: MenuButton[];
}

export interface Menu {
  menuid?: number;
  button: MenuButton[];
}

/** What the shell does after a menu tap. */
export interface TapResult {
  open_url?: string;
  miniprogram?: MiniProgramLink;
}

export interface Tap {
  top: number;
  sub: number;
  scan_result?: string;
  pic_md5s?: string[];
  location?: { latitude: number; longitude: number; scale: number; label: string };
}

/** What a scan found: an account it followed (appid), a web address, or only text. */
export interface ScanAnswer {
  text: string;
  appid?: string;
  url?: string;
}

export interface Page {
  messages: Message[];
  more: boolean;
  last_id: number;
}

/** A change the server tells open pages about (GET /shell/api/events). */
export interface LiveEvent {
  type: string;
  appid?: string;
}

/** What /shell/api/ answers on failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field = '',
    readonly wechatCode = 0,
    readonly messageZh = '',
  ) {
    super(message);
  }
}

/**
 * A call to the shell's JSON API (/shell/api/<path>): a JSON or form body
 * for writes, the answer's JSON, or ApiError with the server's code,
 * message and field (or "network" when the server cannot be reached).
 */
export async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal };
  if (method !== 'GET') {
    if (body instanceof FormData) {
      init.body = body; // the browser sets multipart/form-data with its boundary
    } else {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body ?? {});
    }
  }
  let resp: Response;
  try {
    resp = await fetch('/shell/api/' + path, init);
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const e = data?.error ?? {};
    throw new ApiError(
      resp.status,
      e.code ?? 'http_' + resp.status,
      e.message ?? `The server answered ${resp.status}.`,
      e.field ?? '',
      e.wechat_code ?? 0,
      e.message_zh ?? '',
    );
  }
  return data as T;
}

export const api = {
  config: () => call<Config>('GET', 'config'),
  me: () => call<{ user: User }>('GET', 'me').then((r) => r.user),
  register: (phone: string, password: string, name: string) =>
    call<{ user: User }>('POST', 'register', { phone, password, name }).then((r) => r.user),
  signIn: (phone: string, password: string) =>
    call<{ user: User }>('POST', 'signin', { phone, password }).then((r) => r.user),
  signOut: () => call<unknown>('POST', 'signout'),
  testUser: () => call<{ user: User }>('POST', 'test-user').then((r) => r.user),
  updateMe: (change: ProfileChange) => call<{ user: User }>('PATCH', 'me', change).then((r) => r.user),
  oauthCheck: (query: string) => call<OAuthRequest>('GET', 'oauth/authorize' + query),
  oauthDecide: (params: Record<string, string>, allow: boolean) =>
    call<{ redirect: string }>('POST', 'oauth/authorize', { ...params, allow }).then((r) => r.redirect),

  chats: () => call<{ chats: Chat[] }>('GET', 'chats').then((r) => r.chats),
  search: (q: string) => call<{ accounts: Account[] }>('GET', 'oa/search?q=' + encodeURIComponent(q)).then((r) => r.accounts),
  profile: (appid: string) => call<{ account: Profile }>('GET', oa(appid)).then((r) => r.account),
  follow: (appid: string, scene: 'ADD_SCENE_SEARCH' | 'ADD_SCENE_PROFILE_CARD') =>
    call<{ account: Profile }>('POST', oa(appid, 'follow'), { scene }).then((r) => r.account),
  unfollow: (appid: string) => call<{ account: Profile }>('POST', oa(appid, 'unfollow')).then((r) => r.account),
  messages: (appid: string, q: { before?: number; after?: number } = {}) =>
    call<Page>('GET', oa(appid, 'messages') + (q.before ? '?before=' + q.before : q.after ? '?after=' + q.after : '')),
  send: (appid: string, text: string, bizmsgmenuid?: string) =>
    call<{ message_id: number }>('POST', oa(appid, 'messages'), bizmsgmenuid ? { text, bizmsgmenuid } : { text }),
  markRead: (appid: string, upTo = 0) => call<unknown>('POST', oa(appid, 'read'), upTo ? { up_to: upTo } : {}),
  menu: (appid: string) => call<{ menu: Menu | null }>('GET', oa(appid, 'menu')).then((r) => r.menu),
  tap: (appid: string, tap: Tap) => call<TapResult>('POST', oa(appid, 'menu/tap'), tap),
  scanURL: (url: string) => call<ScanAnswer>('POST', 'scan', { url }),
  scanImage: (file: Blob) => {
    const form = new FormData();
    form.append('image', file);
    return call<ScanAnswer>('POST', 'scan', form);
  },
};

function oa(appid: string, sub = ''): string {
  return 'oa/' + encodeURIComponent(appid) + (sub ? '/' + sub : '');
}
