// The shell's root: loads the configuration and the signed-in user, then
// picks the page for the current path.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Config, type User } from './api';
import { ProfilePage, SearchPage } from './account';
import { AuthPage } from './auth';
import { Conversation } from './conversation';
import { startLive, stopLive } from './live';
import { OAuthPage } from './oauth';
import { NotificationsPage } from './notifications';
import { MiniProgramContainer, miniProgramURL } from './miniprogram/container';
import { NearbyPage } from './nearby';
import { startSpareContainers } from './miniprogram/session';
import { ScanPage } from './scan';
import { navigate, safeNext, useLocation } from './router';
import { EditName, TabShell } from './tabs';
import { Button, Loading, Msg } from './ui';

export function App() {
  const { path, query } = useLocation();
  const [config, setConfig] = useState<Config | null>(null);
  // undefined while loading, null when signed out.
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [failure, setFailure] = useState('');

  const load = () => {
    setFailure('');
    Promise.all([
      api.config(),
      api.me().catch((e) => {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }),
    ]).then(
      ([c, u]) => {
        setConfig(c);
        setUser(u);
      },
      (e) => setFailure(e instanceof ApiError ? e.message : String(e)),
    );
  };
  useEffect(load, []);
  // The live stream runs while someone is signed in; so does a spare mini
  // program container (nobody signed out can launch one).
  useEffect(() => {
    if (user) {
      startLive();
      startSpareContainers();
    } else stopLive();
  }, [user?.id]);

  if (failure) {
    return (
      <Msg icon="warn" title="Cannot load" actions={<Button onClick={load}>Try again</Button>}>
        <p class="weui-msg__desc">{failure}</p>
      </Msg>
    );
  }
  if (!config || user === undefined) return <Loading />;

  // A QR code's address is the server's to answer (it follows the
  // account); after signing in the page goes back there for real.
  if (path.startsWith('/q/')) return <Reload />;
  if (path.startsWith('/mpcode/') || path.startsWith('/wxaurl/')) return <Reload />;
  if (path === '/connect/oauth2/authorize') {
    return <OAuthPage config={config} user={user} onUser={setUser} />;
  }
  if (!user) {
    const mode = path === '/register' ? 'register' : 'signin';
    return (
      <AuthPage
        mode={mode}
        config={config}
        onMode={(m) => navigate((m === 'register' ? '/register' : '/signin') + location.search, true)}
        onSignedIn={(u) => {
          setUser(u);
          if (path === '/signin' || path === '/register') navigate(safeNext(query.get('next')), true);
        }}
      />
    );
  }
  switch (path) {
    case '/signin':
    case '/register':
      return <Redirect to={safeNext(query.get('next'))} />;
    case '/':
    case '/chats':
      return <TabShell tab="chats" user={user} onUser={setUser} />;
    case '/discover':
      return <TabShell tab="discover" user={user} onUser={setUser} />;
    case '/me':
      return <TabShell tab="me" user={user} onUser={setUser} />;
    case '/me/name':
      return <EditName user={user} onUser={setUser} />;
    case '/search':
      return <SearchPage initial={query.get('q') ?? ''} />;
    case '/scan':
      return <ScanPage />;
    case '/nearby':
      return <NearbyPage />;
    case '/notifications':
      return <NotificationsPage />;
    case '/miniprogram':
      return <Redirect to={miniProgramURL(query.get('appid') ?? '', { path: query.get('path') ?? '', scene: Number(query.get('scene')) || undefined })} />;
  }
  const [, section, appid, rest] = path.split('/');
  if (appid && rest === undefined && section === 'miniprogram') {
    return <MiniProgramContainer key={appid} appid={decodeURIComponent(appid)} user={user} query={query} />;
  }
  if (appid && rest === undefined && section === 'chats') return <Conversation key={appid} appid={decodeURIComponent(appid)} user={user} />;
  if (appid && rest === undefined && section === 'oa') return <ProfilePage key={appid} appid={decodeURIComponent(appid)} fromSearch={query.get('from') === 'search'} />;
  switch (path) {
    default:
      return (
        <Msg icon="info" title="Page not found" testid="not-found" actions={<Button onClick={() => navigate('/')}>Back to Chats</Button>}>
          <p class="weui-msg__desc">There is nothing at {path}.</p>
        </Msg>
      );
  }
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return <Loading />;
}

/** Loads the current address from the server instead of drawing it. */
function Reload() {
  useEffect(() => location.replace(location.href), []);
  return <Loading />;
}
