// The Chats tab: the official accounts the user follows, newest first, with
// unread counts and the last message; live.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Chat } from './api';
import { useLive } from './live';
import { preview } from './messages';
import { navigate } from './router';
import { Avatar, Loading, shortTime } from './ui';

export function ChatList() {
  const [chats, setChats] = useState<Chat[] | null>(null);
  const [error, setError] = useState('');
  const loading = useRef(false);
  const again = useRef(false);

  // One load at a time; events during a load cause one more.
  const load = async () => {
    if (loading.current) {
      again.current = true;
      return;
    }
    loading.current = true;
    try {
      do {
        again.current = false;
        setChats(await api.chats());
        setError('');
      } while (again.current);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      loading.current = false;
    }
  };
  useEffect(() => {
    load();
  }, []);
  useLive(() => load());

  return (
    <div data-testid="chats-page">
      <header class="shell-title-bar">
        <h1 class="shell-title">Chats</h1>
        <div class="shell-title-bar__actions">
          <button type="button" class="shell-navbar__icon" aria-label="Search official accounts" onClick={() => navigate('/search')}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <circle cx="11" cy="11" r="6.5" fill="none" stroke="currentColor" stroke-width="1.8" />
              <path d="m16 16 4.5 4.5" stroke="currentColor" stroke-width="1.8" />
            </svg>
          </button>
          <button type="button" class="shell-navbar__icon" aria-label="Scan a QR code" onClick={() => navigate('/scan')}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M3 8V4h4M17 4h4v4M21 16v4h-4M7 20H3v-4M3 12h18" fill="none" stroke="currentColor" stroke-width="1.8" />
            </svg>
          </button>
        </div>
      </header>
      {error && (
        <p class="weui-cells__tips shell-error" role="alert">
          {error}
        </p>
      )}
      {chats === null && !error && <Loading />}
      {chats?.length === 0 && (
        <div class="shell-empty">
          <p class="shell-empty__title">No chats yet</p>
          <p class="shell-empty__desc">Messages from the official accounts you follow will appear here.</p>
          <p class="shell-empty__desc">
            <a
              href="/search"
              onClick={(e) => {
                e.preventDefault();
                navigate('/search');
              }}
            >
              Find an official account
            </a>{' '}
            or{' '}
            <a
              href="/scan"
              onClick={(e) => {
                e.preventDefault();
                navigate('/scan');
              }}
            >
              scan its QR code
            </a>
            .
          </p>
        </div>
      )}
      {chats && chats.length > 0 && (
        <ul class="oa-chats" aria-label="Chats">
          {chats.map((c) => (
            <li key={c.appid}>
              <a
                class="oa-chat"
                href={'/chats/' + encodeURIComponent(c.appid)}
                data-testid="chat"
                data-appid={c.appid}
                onClick={(e) => {
                  e.preventDefault();
                  navigate('/chats/' + encodeURIComponent(c.appid));
                }}
              >
                <span class="oa-chat__avatar">
                  <Avatar user={{ name: c.name, avatar_url: '' }} size="m" />
                  {c.unread > 0 && (
                    <span class="weui-badge oa-chat__badge" data-testid="unread" aria-label={`${c.unread} unread`}>
                      {c.unread > 99 ? '99+' : c.unread}
                    </span>
                  )}
                </span>
                <span class="oa-chat__main">
                  <span class="oa-chat__top">
                    <span class="oa-chat__name">{c.name}</span>
                    <span class="oa-chat__time">{shortTime(c.at)}</span>
                  </span>
                  <span class="oa-chat__preview" data-testid="chat-preview">
                    {c.last ? preview(c.last) : c.subscribed ? 'You followed this account' : ''}
                  </span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
