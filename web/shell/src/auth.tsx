// Signing in and registering: phone number + password, and in dev mode a
// one-click test user.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type Config, type User } from './api';
import { Button, Field } from './ui';

export type AuthMode = 'signin' | 'register';

export function AuthPage(props: {
  mode: AuthMode;
  config: Config;
  onMode: (m: AuthMode) => void;
  onSignedIn: (u: User) => void;
  /** Replaces the page's heading, e.g. "Sign in to continue to X". */
  intro?: ComponentChildren;
}) {
  const { mode, config } = props;
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<'' | 'form' | 'test'>('');
  const [error, setError] = useState<ApiError | null>(null);

  const run = async (which: 'form' | 'test', f: () => Promise<User>) => {
    setBusy(which);
    setError(null);
    try {
      props.onSignedIn(await f());
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e)));
      setBusy('');
    }
  };
  const submit = (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    run('form', () => (mode === 'signin' ? api.signIn(phone.trim(), password) : api.register(phone.trim(), password, name)));
  };
  const bad = (field: string) => error?.field === field;

  return (
    <form class="weui-form shell-auth" onSubmit={submit} noValidate data-testid={mode + '-page'}>
      <div class="weui-form__bd">
        <div class="weui-form__text-area">
          {props.intro ?? (
            <>
              <h2 class="weui-form__title">{mode === 'signin' ? 'Sign in' : 'Create an account'}</h2>
              <div class="weui-form__desc">
                {mode === 'signin' ? 'with your phone number and password' : 'Your phone number is how you sign in.'}
              </div>
            </>
          )}
        </div>
        <div class="weui-form__control-area">
          <div class="weui-cells__group weui-cells__group_form">
            <div class="weui-cells">
              {mode === 'register' && (
                <Field label="Name" name="name" value={name} onInput={setName} placeholder="How others see you" autocomplete="nickname" maxLength={32} invalid={bad('name')} />
              )}
              <Field label="Phone" name="phone" type="tel" value={phone} onInput={setPhone} placeholder="e.g. 13800138000" autocomplete="tel" invalid={bad('phone')} />
              <Field
                label="Password"
                name="password"
                type="password"
                value={password}
                onInput={setPassword}
                placeholder={mode === 'register' ? 'At least 8 characters' : 'Your password'}
                autocomplete={mode === 'register' ? 'new-password' : 'current-password'}
                invalid={bad('password')}
              />
            </div>
          </div>
        </div>
        {error && (
          <div class="weui-form__tips-area">
            <p class="weui-form__tips shell-error" data-testid="form-error">
              {error.message}
            </p>
          </div>
        )}
        <div class="weui-form__opr-area">
          <Button type="submit" busy={busy === 'form'} testid="submit">
            {mode === 'signin' ? 'Sign in' : 'Register'}
          </Button>
          {config.dev && (
            <Button kind="default" busy={busy === 'test'} onClick={() => run('test', api.testUser)} testid="test-user">
              One-click test user
            </Button>
          )}
        </div>
        <div class="weui-form__extra-area">
          <div class="weui-footer">
            <p class="weui-footer__links">
              {mode === 'signin' ? (
                <a href="#" class="weui-footer__link" data-testid="to-register" onClick={(e) => { e.preventDefault(); setError(null); props.onMode('register'); }}>
                  No account yet? Register
                </a>
              ) : (
                <a href="#" class="weui-footer__link" data-testid="to-signin" onClick={(e) => { e.preventDefault(); setError(null); props.onMode('signin'); }}>
                  Already registered? Sign in
                </a>
              )}
            </p>
            {config.dev && <p class="weui-footer__text">Dev mode: test users need no phone number.</p>}
          </div>
        </div>
      </div>
    </form>
  );
}
