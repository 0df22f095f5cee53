// An official account's associated mini programs on its profile
// (/shell/api/oa/{appid}/miniprograms; docs/miniprogram-platform.md). Opening
// one uses scene 1020, WeChat's "OA profile related list".
import { useEffect, useState } from 'preact/hooks';
import { miniProgramURL } from './miniprogram/container';
import { navigate } from './router';
import { Avatar } from './ui';

/** Scene of a mini program opened from an account's profile (platform-rules.md §3.10). */
export const ProfileScene = 1020;

interface LinkedMiniProgram {
  appid: string;
  name: string;
}

/** The "Associated mini programs" cells; nothing while there are none. */
export function AssociatedMiniPrograms(props: { appid: string }) {
  const [list, setList] = useState<LinkedMiniProgram[]>([]);
  useEffect(() => {
    let live = true;
    fetch('/shell/api/oa/' + encodeURIComponent(props.appid) + '/miniprograms', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : { miniprograms: [] }))
      .then((d: { miniprograms?: LinkedMiniProgram[] }) => live && setList(d.miniprograms ?? []))
      // The profile stays useful without the list.
      .catch(() => live && setList([]));
    return () => {
      live = false;
    };
  }, [props.appid]);
  if (list.length === 0) return null;
  return (
    <>
      <div class="weui-cells__title">Associated mini programs</div>
      <ul class="weui-cells" aria-label="Associated mini programs" data-testid="account-miniprograms">
        {list.map((mp) => {
          const href = miniProgramURL(mp.appid, { scene: ProfileScene });
          return (
            <li key={mp.appid}>
              <a
                class="weui-cell weui-cell_active weui-cell_access"
                href={href}
                data-testid="account-miniprogram"
                data-appid={mp.appid}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(href);
                }}
              >
                <div class="weui-cell__hd">
                  <Avatar user={{ name: mp.name, avatar_url: '' }} size="s" />
                </div>
                <div class="weui-cell__bd mp-list__name">
                  <p>{mp.name}</p>
                </div>
                <div class="weui-cell__ft" />
              </a>
            </li>
          );
        })}
      </ul>
    </>
  );
}
