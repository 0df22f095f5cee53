// The signed-in shell: Chats, Discover and Me under a WeUI tab bar.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type User } from './api';
import { ChatList } from './chats';
import { MiniProgramLists } from './miniprogram/lists';
import { NotificationsCell } from './notifications';
import { destroyAllSessions } from './miniprogram/session';
import { navigate } from './router';
import { Avatar, Button, Field, Toptips } from './ui';

export type Tab = 'chats' | 'discover' | 'me';

const tabs: { id: Tab; label: string; path: string; icon: JSX.Element }[] = [
  {
    id: 'chats',
    label: 'Chats',
    path: '/chats',
    icon: <path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.6 1.4 4.9 3.6 6.5L5 21.5l4-2.1c.9.2 1.9.4 3 .4 5.5 0 10-3.8 10-8.5S17.5 3 12 3z" />,
  },
  {
    id: 'discover',
    label: 'Discover',
    path: '/discover',
    icon: <path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.2 5.8-2.3 6.1-6.1 2.3 2.3-6.1 6.1-2.3zM12 10.8a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4z" />,
  },
  {
    id: 'me',
    label: 'Me',
    path: '/me',
    icon: <path d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.3-8 5.2V21h16v-1.8c0-2.9-3.6-5.2-8-5.2z" />,
  },
];

export function TabShell(props: { tab: Tab; user: User; onUser: (u: User | null) => void }) {
  return (
    <div class="weui-tab shell-tabs">
      <div class="weui-tab__panel" role="tabpanel">
        {props.tab === 'chats' && <ChatList />}
        {props.tab === 'discover' && <Discover user={props.user} />}
        {props.tab === 'me' && <Me user={props.user} onUser={props.onUser} />}
      </div>
      <div class="weui-tabbar" role="tablist">
        {tabs.map((t) => (
          <a
            href={t.path}
            role="tab"
            aria-selected={t.id === props.tab}
            class={'weui-tabbar__item' + (t.id === props.tab ? ' weui-bar__item_on' : '')}
            data-testid={'tab-' + t.id}
            onClick={(e) => {
              e.preventDefault();
              navigate(t.path);
            }}
          >
            <svg class="weui-tabbar__icon shell-tab-icon" viewBox="0 0 24 24" aria-hidden="true">
              {t.icon}
            </svg>
            <p class="weui-tabbar__label">{t.label}</p>
          </a>
        ))}
      </div>
    </div>
  );
}

function PageTitle({ children }: { children: string }) {
  return <h1 class="shell-title">{children}</h1>;
}

function Discover(props: { user: User }) {
  const cell = (path: string, label: string, testid: string) => (
    <a
      class="weui-cell weui-cell_active weui-cell_access"
      href={path}
      data-testid={testid}
      onClick={(e) => {
        e.preventDefault();
        navigate(path);
      }}
    >
      <div class="weui-cell__bd">
        <p>{label}</p>
      </div>
      <div class="weui-cell__ft" />
    </a>
  );
  return (
    <div data-testid="discover-page">
      <PageTitle>Discover</PageTitle>
      <div class="weui-cells">
        {cell('/scan', 'Scan', 'discover-scan')}
        {cell('/search', 'Official Accounts', 'discover-accounts')}
        {cell('/nearby', 'Mini Programs Nearby', 'discover-nearby')}
        <NotificationsCell />
      </div>
      <MiniProgramLists user={props.user} />
    </div>
  );
}

const genders = ['Not set', 'Male', 'Female'];

function Me(props: { user: User; onUser: (u: User | null) => void }) {
  const u = props.user;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const region = [u.country, u.province, u.city].filter(Boolean).join(' ');
  const signOut = async () => {
    setBusy(true);
    try {
      await api.signOut();
      destroyAllSessions();
      props.onUser(null);
      navigate('/signin', true);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <div data-testid="me-page">
      <Toptips text={error} onClose={() => setError('')} />
      <div class="shell-profile">
        <Avatar user={u} />
        <div class="shell-profile__text">
          <p class="shell-profile__name" data-testid="profile-name">
            {u.name}
          </p>
          <p class="shell-profile__sub" data-testid="profile-phone">
            {u.phone ? 'Phone: ' + u.phone : u.test_user ? 'Test user' : 'No phone number'}
          </p>
        </div>
      </div>
      <div class="weui-cells">
        <a
          class="weui-cell weui-cell_active weui-cell_access"
          href="/me/name"
          data-testid="edit-name"
          onClick={(e) => {
            e.preventDefault();
            navigate('/me/name');
          }}
        >
          <div class="weui-cell__bd">
            <p>Name</p>
          </div>
          <div class="weui-cell__ft">{u.name}</div>
        </a>
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Phone</p>
          </div>
          <div class="weui-cell__ft">{u.phone || '—'}</div>
        </div>
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Gender</p>
          </div>
          <div class="weui-cell__ft">{genders[u.gender] ?? genders[0]}</div>
        </div>
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Region</p>
          </div>
          <div class="weui-cell__ft">{region || '—'}</div>
        </div>
      </div>
      <div class="weui-btn-area shell-signout">
        <Button kind="default" busy={busy} onClick={signOut} testid="signout">
          Sign out
        </Button>
      </div>
    </div>
  );
}

/** /me/name: change the name others see. */
export function EditName(props: { user: User; onUser: (u: User) => void }) {
  const [name, setName] = useState(props.user.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const save = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      props.onUser(await api.updateMe({ name }));
      navigate('/me', true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <form class="weui-form" onSubmit={save} noValidate data-testid="edit-name-page">
      <Toptips text={error} onClose={() => setError('')} />
      <div class="weui-form__bd">
        <div class="weui-form__text-area">
          <h2 class="weui-form__title">Change name</h2>
          <div class="weui-form__desc">Apps you authorize see this name.</div>
        </div>
        <div class="weui-form__control-area">
          <div class="weui-cells__group weui-cells__group_form">
            <div class="weui-cells">
              <Field label="Name" name="name" value={name} onInput={setName} maxLength={32} invalid={!!error} />
            </div>
          </div>
        </div>
        <div class="weui-form__opr-area">
          <Button type="submit" busy={busy} testid="save-name">
            Save
          </Button>
          <Button kind="default" onClick={() => navigate('/me', true)}>
            Cancel
          </Button>
        </div>
      </div>
    </form>
  );
}
