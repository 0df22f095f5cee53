// Small WeUI building blocks shared by the pages.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { User } from './api';
import { navigate } from './router';

/** A red bar at the top that hides itself, WeUI's toptips. */
export function Toptips({ text, onClose }: { text: string; onClose: () => void }) {
  useEffect(() => {
    if (!text) return;
    const t = setTimeout(onClose, 4000);
    return () => clearTimeout(t);
  }, [text]);
  if (!text) return null;
  return (
    <div class="weui-toptips weui-toptips_warn shell-toptips" role="alert" data-testid="toptips">
      {text}
    </div>
  );
}

/** A centred spinner for pages that are loading. */
export function Loading() {
  return (
    <div class="shell-loading" aria-busy="true">
      <span class="weui-primary-loading">
        <span class="weui-primary-loading__dot" />
      </span>
    </div>
  );
}

/** The user's picture, or the first letter of their name on a coloured square. */
export function Avatar({ user, size = 'l' }: { user: Pick<User, 'name' | 'avatar_url'>; size?: 's' | 'm' | 'l' }) {
  if (user.avatar_url) {
    return <img class={`shell-avatar shell-avatar_${size}`} src={user.avatar_url} alt="" />;
  }
  const initial = Array.from(user.name.trim())[0]?.toUpperCase() ?? '?';
  let h = 0;
  for (const c of user.name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (
    <span class={`shell-avatar shell-avatar_${size} shell-avatar_c${h % 6}`} aria-hidden="true" data-testid="avatar-initial">
      {initial}
    </span>
  );
}

/** One labelled input in a WeUI form group. */
export function Field(props: {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  placeholder?: string;
  autocomplete?: string;
  invalid?: boolean;
  maxLength?: number;
}) {
  const id = 'f-' + props.name;
  return (
    <label for={id} class={'weui-cell weui-cell_active' + (props.invalid ? ' weui-cell_warn' : '')}>
      <div class="weui-cell__hd">
        <span class="weui-label">{props.label}</span>
      </div>
      <div class="weui-cell__bd">
        <input
          id={id}
          name={props.name}
          class="weui-input"
          type={props.type ?? 'text'}
          placeholder={props.placeholder}
          autocomplete={props.autocomplete}
          maxLength={props.maxLength}
          value={props.value}
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => props.onInput(e.currentTarget.value)}
          aria-invalid={props.invalid ? 'true' : undefined}
        />
      </div>
    </label>
  );
}

/** A WeUI button; primary by default, with a spinner while busy. */
export function Button(props: {
  kind?: 'primary' | 'default' | 'warn';
  busy?: boolean;
  type?: 'button' | 'submit';
  onClick?: () => void;
  children: ComponentChildren;
  testid?: string;
}) {
  const kind = props.kind ?? 'primary';
  return (
    <button
      type={props.type ?? 'button'}
      class={`weui-btn weui-btn_${kind}` + (props.busy ? ' weui-btn_loading' : '')}
      disabled={props.busy}
      onClick={props.onClick}
      data-testid={props.testid}
    >
      {props.busy && <i class="weui-loading" />}
      {props.children}
    </button>
  );
}

/** WeUI's result page: an icon, a title, a description and actions. */
export function Msg(props: {
  icon: 'warn' | 'success' | 'info';
  title: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
  testid?: string;
}) {
  return (
    <div class="weui-msg" data-testid={props.testid}>
      <div class="weui-msg__icon-area">
        <i class={`weui-icon-${props.icon} weui-icon_msg`} />
      </div>
      <div class="weui-msg__text-area">
        <h2 class="weui-msg__title">{props.title}</h2>
        {props.children}
      </div>
      {props.actions && <div class="weui-msg__opr-area">{props.actions}</div>}
    </div>
  );
}

/** Goes back in the shell's history, or to fallback when there is none. */
export function goBack(fallback: string) {
  if (history.state?.shell) history.back();
  else navigate(fallback, true);
}

/** A page's top bar: a back button, the title, and an optional action. */
export function NavBar(props: { title: string; back: string; action?: ComponentChildren; testid?: string }) {
  return (
    <header class="shell-navbar" data-testid={props.testid}>
      <button type="button" class="shell-navbar__back" aria-label="Back" onClick={() => goBack(props.back)}>
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M15.5 4.5 8 12l7.5 7.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
      </button>
      <h1 class="shell-navbar__title">{props.title}</h1>
      <div class="shell-navbar__action">{props.action}</div>
    </header>
  );
}

/** WeUI's modal dialog: a title, text, and two buttons. */
export function Dialog(props: {
  title: string;
  children?: ComponentChildren;
  confirm: string;
  warn?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div>
      <div class="weui-mask" />
      <div class="weui-dialog" role="dialog" aria-modal="true" aria-label={props.title}>
        <div class="weui-dialog__hd">
          <strong class="weui-dialog__title">{props.title}</strong>
        </div>
        {props.children && <div class="weui-dialog__bd">{props.children}</div>}
        <div class="weui-dialog__ft">
          <button type="button" class="weui-dialog__btn weui-dialog__btn_default" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" class={'weui-dialog__btn ' + (props.warn ? 'weui-dialog__btn_warn' : 'weui-dialog__btn_primary')} onClick={props.onConfirm}>
            {props.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A small "time ago or date" for lists and conversations. */
export function shortTime(unix: number, withDay = false): string {
  if (!unix) return '';
  const d = new Date(unix * 1000);
  const now = new Date();
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return hm;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (d.toDateString() === yesterday.toDateString()) return withDay ? 'Yesterday ' + hm : 'Yesterday';
  const day = d.toLocaleDateString('en-GB', { year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric', month: 'short', day: 'numeric' });
  return withDay ? day + ' ' + hm : day;
}
