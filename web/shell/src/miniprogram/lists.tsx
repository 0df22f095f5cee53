// Where users find mini programs again: the starred ones ("My Mini
// Programs") and the recently used ones in Discover, and mini programs in
// search results.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { navigate } from '../router';
import { Avatar } from '../ui';
import { mpApi, type MiniProgramSummary } from './api';
import { miniProgramURL, Scene } from './container';
import { onListsChange, recent, starred } from './recent';

function Cell(props: { mp: MiniProgramSummary; scene: number; testid: string }) {
  const href = miniProgramURL(props.mp.appid, { scene: props.scene });
  return (
    <li>
      <a
        class="weui-cell weui-cell_active weui-cell_access"
        href={href}
        data-testid={props.testid}
        data-appid={props.mp.appid}
        onClick={(e) => {
          e.preventDefault();
          navigate(href);
        }}
      >
        <div class="weui-cell__hd">
          <Avatar user={{ name: props.mp.name, avatar_url: '' }} size="s" />
        </div>
        <div class="weui-cell__bd mp-list__name">
          <p>{props.mp.name}</p>
        </div>
        <div class="weui-cell__ft" />
      </a>
    </li>
  );
}

/** Discover's mini program section: starred first, then recently used. */
export function MiniProgramLists(props: { user: User }) {
  const [, setTick] = useState(0);
  useEffect(() => onListsChange(() => setTick((n) => n + 1)), []);
  const mine = starred(props.user.id);
  const used = recent(props.user.id);
  return (
    <div data-testid="mp-lists">
      <div class="weui-cells__title">My Mini Programs</div>
      {mine.length === 0 ? (
        <p class="weui-cells__tips" data-testid="mp-starred-empty">
          Star a mini program from its ··· menu to keep it here.
        </p>
      ) : (
        <ul class="weui-cells" aria-label="My Mini Programs">
          {mine.map((m) => (
            <Cell key={m.appid} mp={m} scene={Scene.MyMiniPrograms} testid="mp-starred" />
          ))}
        </ul>
      )}
      <div class="weui-cells__title">Recently Used</div>
      {used.length === 0 ? (
        <p class="weui-cells__tips" data-testid="mp-recent-empty">
          Mini programs you open appear here.
        </p>
      ) : (
        <ul class="weui-cells" aria-label="Recently used mini programs">
          {used.map((m) => (
            <Cell key={m.appid} mp={m} scene={Scene.Default} testid="mp-recent" />
          ))}
        </ul>
      )}
    </div>
  );
}

/** Mini programs whose names match q, opened with the search scene. */
export function SearchMiniPrograms(props: { q: string }) {
  const [results, setResults] = useState<MiniProgramSummary[] | null>(null);
  const seq = useRef(0);
  useEffect(() => {
    const q = props.q.trim();
    const mine = ++seq.current;
    if (!q) {
      setResults(null);
      return;
    }
    const t = setTimeout(() => {
      mpApi.search(q).then(
        (list) => mine === seq.current && setResults(list),
        () => mine === seq.current && setResults(null),
      );
    }, 250);
    return () => clearTimeout(t);
  }, [props.q]);
  if (!results || results.length === 0) return null;
  return (
    <div data-testid="mp-search">
      <div class="weui-cells__title">Mini Programs</div>
      <ul class="weui-cells" aria-label="Mini program results">
        {results.map((m) => (
          <Cell key={m.appid} mp={m} scene={Scene.Search} testid="mp-search-result" />
        ))}
      </ul>
    </div>
  );
}
