// Official accounts outside a conversation: search (/search) and an
// account's profile (/oa/{appid}) with follow and unfollow.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Account, type Profile } from './api';
import { useLive } from './live';
import { SearchMiniPrograms } from './miniprogram/lists';
import { AssociatedMiniPrograms } from './oa_miniprograms';
import { navigate } from './router';
import { Avatar, Button, Dialog, Loading, Msg, NavBar, Toptips } from './ui';

const kindLabel = (kind: string) => (kind === 'service' ? 'Service account' : 'Subscription account');

/** /oa/{appid}: name, operator, followers; follow, unfollow, enter the conversation. */
export function ProfilePage(props: { appid: string; fromSearch: boolean }) {
  const { appid } = props;
  const [p, setP] = useState<Profile | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState('');

  const load = () =>
    api.profile(appid).then(setP, (e) => setFailure(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e))));
  useEffect(() => {
    load();
  }, [appid]);
  useLive((e) => {
    if (e.type === 'resync' || (e.type === 'follow' && e.appid === appid)) load();
  });

  const act = async (f: () => Promise<Profile>, then?: () => void) => {
    setBusy(true);
    setConfirm(false);
    try {
      setP(await f());
      then?.();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const chat = () => navigate('/chats/' + encodeURIComponent(appid));

  if (failure) {
    return (
      <Msg icon="warn" title={failure.status === 404 ? 'No such account' : 'Cannot load'} testid="profile-error" actions={<Button onClick={() => navigate('/chats')}>Back to Chats</Button>}>
        <p class="weui-msg__desc">{failure.message}</p>
      </Msg>
    );
  }
  if (!p) return <Loading />;
  return (
    <div class="oa-profile-page" data-testid="account-profile">
      <Toptips text={error} onClose={() => setError('')} />
      <NavBar title="" back="/chats" />
      <div class="oa-profile">
        <Avatar user={{ name: p.name, avatar_url: '' }} />
        <h2 class="oa-profile__name" data-testid="account-name">
          {p.name}
        </h2>
        <p class="oa-profile__kind">{kindLabel(p.kind)}</p>
      </div>
      <div class="weui-cells">
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Operated by</p>
          </div>
          <div class="weui-cell__ft" data-testid="account-subject">
            {p.subject}
            {p.certified && (
              <span class="oa-certified" title="Certified">
                {' '}
                ✓
              </span>
            )}
          </div>
        </div>
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Followers</p>
          </div>
          <div class="weui-cell__ft" data-testid="account-followers">
            {p.followers}
          </div>
        </div>
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <p>Account ID</p>
          </div>
          <div class="weui-cell__ft oa-appid">{p.appid}</div>
        </div>
      </div>
      <AssociatedMiniPrograms appid={appid} />
      <div class="weui-btn-area oa-profile__actions">
        {p.following ? (
          <>
            <Button onClick={chat} testid="enter-conversation">
              Send message
            </Button>
            <Button kind="default" busy={busy} onClick={() => setConfirm(true)} testid="unfollow">
              Unfollow
            </Button>
          </>
        ) : (
          <Button busy={busy} onClick={() => act(() => api.follow(appid, props.fromSearch ? 'ADD_SCENE_SEARCH' : 'ADD_SCENE_PROFILE_CARD'), chat)} testid="follow">
            Follow
          </Button>
        )}
      </div>
      {confirm && (
        <Dialog title={'Unfollow ' + p.name + '?'} confirm="Unfollow" warn onCancel={() => setConfirm(false)} onConfirm={() => act(() => api.unfollow(appid))}>
          You will no longer receive its messages.
        </Dialog>
      )}
    </div>
  );
}

/** /search: official accounts by name. */
export function SearchPage(props: { initial: string }) {
  const [q, setQ] = useState(props.initial);
  const [results, setResults] = useState<Account[] | null>(null);
  const [error, setError] = useState('');
  const seq = useRef(0);

  const run = async (query: string) => {
    const mine = ++seq.current;
    if (!query.trim()) {
      setResults(null);
      return;
    }
    try {
      const list = await api.search(query.trim());
      if (mine === seq.current) {
        setResults(list);
        setError('');
      }
    } catch (e) {
      if (mine === seq.current) setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  // Search as the user types, a moment after the last key.
  useEffect(() => {
    const t = setTimeout(() => run(q), 250);
    return () => clearTimeout(t);
  }, [q]);

  const submit = (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    navigate('/search?q=' + encodeURIComponent(q), true);
    run(q);
  };
  return (
    <div data-testid="search-page">
      <NavBar title="Official Accounts" back="/discover" />
      <form class="weui-search-bar weui-search-bar_focusing" role="search" onSubmit={submit}>
        <div class="weui-search-bar__form">
          <div class="weui-search-bar__box">
            <i class="weui-icon-search" />
            <input
              type="search"
              class="weui-search-bar__input"
              id="search-q"
              aria-label="Search official accounts"
              placeholder="Search official accounts"
              value={q}
              autofocus
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setQ(e.currentTarget.value)}
            />
          </div>
        </div>
      </form>
      {error && (
        <p class="weui-cells__tips shell-error" role="alert">
          {error}
        </p>
      )}
      <SearchMiniPrograms q={q} />
      {results && results.length === 0 && <p class="weui-cells__tips oa-search__none">No official account is called anything like “{q.trim()}”.</p>}
      {results && results.length > 0 && (
        <ul class="weui-cells oa-search__results" aria-label="Search results">
          {results.map((a) => (
            <li key={a.appid}>
              <a
                class="weui-cell weui-cell_active weui-cell_access"
                href={'/oa/' + encodeURIComponent(a.appid) + '?from=search'}
                data-testid="search-result"
                onClick={(e) => {
                  e.preventDefault();
                  navigate('/oa/' + encodeURIComponent(a.appid) + '?from=search');
                }}
              >
                <div class="weui-cell__hd">
                  <Avatar user={{ name: a.name, avatar_url: '' }} size="s" />
                </div>
                <div class="weui-cell__bd">
                  <p>{a.name}</p>
                  <p class="oa-search__kind">{kindLabel(a.kind)}</p>
                </div>
                <div class="weui-cell__ft">{a.following ? 'Following' : ''}</div>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
