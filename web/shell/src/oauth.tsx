// /connect/oauth2/authorize: web authorization for an official account's H5
// page. The server validated the request already (and answered snsapi_base
// for a signed-in user with a redirect); this page signs the user in if
// needed and asks consent for snsapi_userinfo.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Config, type OAuthRequest, type User } from './api';
import { AuthPage, type AuthMode } from './auth';
import { Avatar, Button, Loading, Msg, Toptips } from './ui';

const params = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'] as const;

function requestParams(): Record<string, string> {
  const q = new URLSearchParams(location.search);
  const out: Record<string, string> = {};
  for (const p of params) out[p] = q.get(p) ?? '';
  return out;
}

export function OAuthPage(props: { config: Config; user: User | null; onUser: (u: User) => void }) {
  const [req, setReq] = useState<OAuthRequest | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [mode, setMode] = useState<AuthMode>('signin');
  const [busy, setBusy] = useState<'' | 'allow' | 'deny'>('');
  const [error, setError] = useState('');

  useEffect(() => {
    api.oauthCheck(location.search).then(setReq, (e) => setFailure(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e))));
  }, []);

  const decide = async (allow: boolean) => {
    setBusy(allow ? 'allow' : 'deny');
    setError('');
    try {
      location.replace(await api.oauthDecide(requestParams(), allow));
    } catch (e) {
      if (e instanceof ApiError && e.wechatCode) setFailure(e);
      else setError(e instanceof ApiError ? e.message : String(e));
      setBusy('');
    }
  };

  // snsapi_base needs no consent: once signed in, go straight back.
  const silent = !!req && !!props.user && !req.needs_consent;
  useEffect(() => {
    if (silent) decide(true);
  }, [silent]);

  if (failure) return <OAuthFailure error={failure} />;
  if (!req) return <Loading />;
  if (!props.user) {
    return (
      <AuthPage
        mode={mode}
        config={props.config}
        onMode={setMode}
        onSignedIn={props.onUser}
        intro={
          <>
            <h2 class="weui-form__title">{mode === 'signin' ? 'Sign in' : 'Create an account'}</h2>
            <div class="weui-form__desc" data-testid="oauth-intro">
              to continue to <strong>{req.app.name}</strong>
            </div>
          </>
        }
      />
    );
  }
  if (silent) return <Loading />;

  const u = props.user;
  return (
    <div class="shell-consent">
      <Toptips text={error} onClose={() => setError('')} />
      <div class="weui-mask" />
      <div class="weui-half-screen-dialog" role="dialog" aria-modal="true" aria-labelledby="consent-title" data-testid="consent">
        <div class="weui-half-screen-dialog__hd">
          <div class="weui-half-screen-dialog__hd__main">
            <strong class="weui-half-screen-dialog__title" id="consent-title">
              {req.app.name}
            </strong>
            <span class="weui-half-screen-dialog__subtitle">{req.redirect_host}</span>
          </div>
        </div>
        <div class="weui-half-screen-dialog__bd">
          <p class="shell-consent__ask" data-testid="consent-text">
            {req.app.name} requests your nickname and avatar
          </p>
          <p class="shell-consent__ask-zh">申请获取你的昵称、头像</p>
          <div class="weui-cells shell-consent__who">
            <div class="weui-cell">
              <div class="weui-cell__hd">
                <Avatar user={u} size="s" />
              </div>
              <div class="weui-cell__bd">
                <p>{u.name}</p>
              </div>
              <div class="weui-cell__ft">
                <i class="weui-icon-success-no-circle" />
              </div>
            </div>
          </div>
        </div>
        <div class="weui-half-screen-dialog__ft">
          <div class="weui-half-screen-dialog__btn-area">
            <Button kind="default" busy={busy === 'deny'} onClick={() => decide(false)} testid="deny">
              Deny
            </Button>
            <Button busy={busy === 'allow'} onClick={() => decide(true)} testid="allow">
              Allow
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}

function OAuthFailure({ error }: { error: ApiError }) {
  return (
    <Msg icon="warn" title={error.messageZh || 'Authorization failed'} testid="oauth-error">
      <p class="weui-msg__desc">{error.message}</p>
      {error.wechatCode > 0 && (
        <p class="weui-msg__desc shell-errcode" data-testid="oauth-errcode">
          错误码 Error code: {error.wechatCode}
        </p>
      )}
    </Msg>
  );
}
