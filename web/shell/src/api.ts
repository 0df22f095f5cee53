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

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
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
};
