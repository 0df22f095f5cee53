// Small WeUI building blocks shared by the pages.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { User } from './api';

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
export function Avatar({ user, size = 'l' }: { user: Pick<User, 'name' | 'avatar_url'>; size?: 's' | 'l' }) {
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
