// /nearby: "Mini programs nearby" (Discover). Asks the browser where the
// user is, lists the mini programs with a store within the server's radius
// (5 km by default), nearest first, a page at a time; opening one uses
// scene 1026 (WeChat's "nearby mini programs list").
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { miniProgramURL } from './miniprogram/container';
import { navigate } from './router';
import { Button, Loading, Msg, NavBar } from './ui';

/** WeChat's scene for a mini program opened from the nearby list. */
export const sceneNearby = 1026;

const pageSize = 20;

interface NearbyItem {
  appid: string;
  name: string;
  poi_id: number;
  store_name: string;
  address: string;
  distance: number; // meters
}

interface NearbyPage {
  items: NearbyItem[];
  has_more: boolean;
  radius: number;
}

type Where = { latitude: number; longitude: number };

type State =
  | { kind: 'locating' }
  | { kind: 'denied' }
  | { kind: 'unavailable'; why: string }
  | { kind: 'failed'; message: string }
  | { kind: 'list'; where: Where; items: NearbyItem[]; hasMore: boolean; radius: number; page: number; loadingMore: boolean };

async function fetchNearby(where: Where, page: number): Promise<NearbyPage> {
  const q = new URLSearchParams({
    latitude: String(where.latitude),
    longitude: String(where.longitude),
    page: String(page),
    page_size: String(pageSize),
  });
  return call<NearbyPage>('GET', 'nearby?' + q);
}

function locate(): Promise<Where> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject({ code: 0, message: 'This browser cannot tell where you are.' });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
      (e) => reject(e),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}

/** 850 m, 2.3 km. */
export function formatDistance(m: number): string {
  if (m < 1000) return `${Math.max(1, Math.round(m))} m`;
  return `${(m / 1000).toFixed(m < 10_000 ? 1 : 0)} km`;
}

export function NearbyPage() {
  const [state, setState] = useState<State>({ kind: 'locating' });

  const start = async () => {
    setState({ kind: 'locating' });
    let where: Where;
    try {
      where = await locate();
    } catch (e) {
      const err = e as GeolocationPositionError;
      // 1 is PERMISSION_DENIED.
      if (err?.code === 1) setState({ kind: 'denied' });
      else setState({ kind: 'unavailable', why: err?.message || 'Your position is not available right now.' });
      return;
    }
    try {
      const page = await fetchNearby(where, 1);
      setState({ kind: 'list', where, items: page.items, hasMore: page.has_more, radius: page.radius, page: 1, loadingMore: false });
    } catch (e) {
      setState({ kind: 'failed', message: e instanceof ApiError ? e.message : String(e) });
    }
  };
  useEffect(() => {
    start();
  }, []);

  const more = async () => {
    if (state.kind !== 'list' || state.loadingMore) return;
    setState({ ...state, loadingMore: true });
    try {
      const next = await fetchNearby(state.where, state.page + 1);
      // A store may appear twice if the list changed between pages.
      const seen = new Set(state.items.map((i) => i.poi_id));
      setState({
        ...state,
        items: [...state.items, ...next.items.filter((i) => !seen.has(i.poi_id))],
        hasMore: next.has_more,
        page: state.page + 1,
        loadingMore: false,
      });
    } catch (e) {
      setState({ kind: 'failed', message: e instanceof ApiError ? e.message : String(e) });
    }
  };

  const again = (
    <Button kind="primary" onClick={start} testid="nearby-retry">
      Try again
    </Button>
  );
  let body;
  switch (state.kind) {
    case 'locating':
      body = (
        <div data-testid="nearby-locating">
          <Loading />
          <p class="shell-empty__desc nearby__hint">Finding where you are…</p>
        </div>
      );
      break;
    case 'denied':
      body = (
        <Msg icon="warn" title="Location access is off" testid="nearby-denied" actions={again}>
          <p class="weui-msg__desc">To see mini programs near you, allow this site to use your location in the browser's settings, then try again.</p>
        </Msg>
      );
      break;
    case 'unavailable':
      body = (
        <Msg icon="warn" title="Cannot find your location" testid="nearby-unavailable" actions={again}>
          <p class="weui-msg__desc">{state.why}</p>
        </Msg>
      );
      break;
    case 'failed':
      body = (
        <Msg icon="warn" title="Cannot load the list" testid="nearby-failed" actions={again}>
          <p class="weui-msg__desc">{state.message}</p>
        </Msg>
      );
      break;
    case 'list':
      body =
        state.items.length === 0 ? (
          <div class="shell-empty" data-testid="nearby-none">
            <p class="shell-empty__title">No mini programs nearby</p>
            <p class="shell-empty__desc">None has a store within {formatDistance(state.radius)} of you.</p>
          </div>
        ) : (
          <>
            <div class="weui-cells" data-testid="nearby-list">
              {state.items.map((it) => (
                <a
                  key={it.poi_id}
                  class="weui-cell weui-cell_active weui-cell_access"
                  href={miniProgramURL(it.appid, { scene: sceneNearby })}
                  data-testid="nearby-item"
                  data-appid={it.appid}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(miniProgramURL(it.appid, { scene: sceneNearby }));
                  }}
                >
                  <div class="weui-cell__bd">
                    <p class="nearby__name" data-testid="nearby-name">
                      {it.name}
                    </p>
                    <p class="nearby__store" data-testid="nearby-store">
                      {it.store_name} · {it.address}
                    </p>
                  </div>
                  <div class="weui-cell__ft" data-testid="nearby-distance">
                    {formatDistance(it.distance)}
                  </div>
                </a>
              ))}
            </div>
            {state.hasMore && (
              <div class="nearby__more">
                <Button kind="default" onClick={more} busy={state.loadingMore} testid="nearby-more">
                  More
                </Button>
              </div>
            )}
          </>
        );
  }
  return (
    <div data-testid="nearby-page">
      <NavBar title="Mini Programs Nearby" back="/discover" />
      {body}
    </div>
  );
}
