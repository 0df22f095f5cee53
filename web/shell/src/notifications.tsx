// Service notifications (服务通知): the subscribe messages mini programs
// sent the user, newest first, across mini programs; tapping one opens its
// page with scene 1014 in the version the sender named. Also the two calls
// of wx.requestSubscribeMessage's consent sheet (internal/shell/notifications.go).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { useLive } from './live';
import { navigate } from './router';
import { Loading, NavBar, shortTime } from './ui';

export interface Notification {
  id: number;
  appid: string;
  app_name: string;
  template_id: string;
  title: string;
  fields: { key: string; name: string; value: string }[];
  page: string;
  env_version: 'release' | 'trial' | 'develop';
  lang: string;
  created_at: number;
  read: boolean;
}

/** What the consent sheet asks about (GET /shell/api/subscribe/<appid>). */
export interface SubscribePrompt {
  templates: { id: string; title: string; keywords: string[] }[];
  unknown: string[];
  kept: Record<string, 'accept' | 'reject'>;
}

export const notificationsApi = {
  list: (before = 0) => call<{ notifications: Notification[]; unread: number }>('GET', 'notifications' + (before ? '?before=' + before : '')),
  read: (upTo = 0) => call<{ unread: number }>('POST', 'notifications/read', upTo ? { up_to: upTo } : {}),
  prompt: (appid: string, ids: string[]) =>
    call<SubscribePrompt>('GET', 'subscribe/' + encodeURIComponent(appid) + '?ids=' + ids.map(encodeURIComponent).join(',')),
  decide: (appid: string, answers: Record<string, string>, keep: boolean) =>
    call<{ answers: Record<string, string> }>('POST', 'subscribe/' + encodeURIComponent(appid), { answers, keep }),
};

/** Where a notification leads: its page, scene 1014, the version the sender named. */
export function notificationURL(n: Notification): string {
  const q = new URLSearchParams();
  if (n.page) q.set('path', n.page);
  q.set('scene', '1014');
  q.set('env_version', n.env_version);
  return '/miniprogram/' + encodeURIComponent(n.appid) + '?' + q.toString();
}

/** The entry in Discover: "Service notifications" with the unread count. */
export function NotificationsCell() {
  const [unread, setUnread] = useState(0);
  const load = () => notificationsApi.list().then((r) => setUnread(r.unread), () => undefined);
  useEffect(() => void load(), []);
  useLive((e) => {
    if (e.type === 'notification' || e.type === 'resync') load();
  });
  return (
    <a
      class="weui-cell weui-cell_active weui-cell_access"
      href="/notifications"
      data-testid="discover-notifications"
      onClick={(e) => {
        e.preventDefault();
        navigate('/notifications');
      }}
    >
      <div class="weui-cell__bd">
        <p>Service notifications</p>
      </div>
      <div class="weui-cell__ft">
        {unread > 0 && (
          <span class="weui-badge" data-testid="notifications-unread">
            {unread}
          </span>
        )}
      </div>
    </a>
  );
}

/** /notifications: the cards, newest first; opening the page marks them read. */
export function NotificationsPage() {
  const [list, setList] = useState<Notification[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      const r = await notificationsApi.list();
      setList(r.notifications);
      setMore(r.notifications.length >= 30);
      setError('');
      if (r.unread > 0 && r.notifications.length) await notificationsApi.read(r.notifications[0].id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  useEffect(() => void load(), []);
  useLive((e) => {
    if (e.type === 'notification' && e.appid) load();
  });
  const older = async () => {
    if (!list?.length) return;
    const r = await notificationsApi.list(list[list.length - 1].id);
    setList([...list, ...r.notifications]);
    setMore(r.notifications.length >= 30);
  };
  return (
    <div data-testid="notifications-page" style="background:#ededed;min-height:100vh">
      <NavBar title="Service notifications" back="/discover" />
      {error && (
        <p class="weui-cells__tips shell-error" role="alert">
          {error}
        </p>
      )}
      {!list && !error && <Loading />}
      {list && list.length === 0 && (
        <p class="weui-cells__tips" data-testid="notifications-empty" style="text-align:center;padding:40px 16px">
          No service notifications yet.
        </p>
      )}
      {list?.map((n) => (
        <div key={n.id} style="padding:12px 16px 0">
          <p style="text-align:center;color:#999;font-size:12px;margin:0 0 8px">{shortTime(n.created_at, true)}</p>
          <a
            href={notificationURL(n)}
            class="weui-panel"
            data-testid="notification"
            data-id={n.id}
            data-unread={n.read ? undefined : 'true'}
            style="display:block;margin:0;border-radius:8px;overflow:hidden;color:inherit;text-decoration:none"
            onClick={(e) => {
              e.preventDefault();
              navigate(notificationURL(n));
            }}
          >
            <div class="weui-panel__hd" style="font-size:13px;color:#576b95">{n.app_name || n.appid}</div>
            <div class="weui-panel__bd" style="padding:12px 16px">
              <p style="font-size:17px;margin:0 0 8px" data-testid="notification-title">
                {n.title}
              </p>
              {n.fields.map((f) => (
                <p key={f.key} style="display:flex;gap:12px;margin:4px 0;font-size:14px" data-testid="notification-field">
                  <span style="color:#999;flex:0 0 5em">{f.name}</span>
                  <span style="word-break:break-all">{f.value}</span>
                </p>
              ))}
            </div>
            {n.page && <div class="weui-panel__ft weui-cell weui-cell_access" style="font-size:14px">
              <div class="weui-cell__bd">Open the mini program</div>
              <div class="weui-cell__ft" />
            </div>}
          </a>
        </div>
      ))}
      {more && (
        <div class="weui-btn-area">
          <button type="button" class="weui-btn weui-btn_default" onClick={older}>
            Older notifications
          </button>
        </div>
      )}
    </div>
  );
}
