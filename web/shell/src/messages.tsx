// How each kind of message looks in a conversation, and its one-line
// preview in the chat list.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type Article, type Message, type MiniProgramLink } from './api';
import { isMiniProgramLink, resolveMiniProgramLink } from './links';
import { navigate } from './router';
import { Avatar, Dialog, Toptips } from './ui';

/** What a message can ask the conversation to do. */
export interface MessageActions {
  /** A msgmenu choice: send its text with its id. */
  choose: (content: string, id: string) => void;
  /** Open a mini program (a placeholder until the runtime exists). */
  openMiniProgram: (mp: MiniProgramLink) => void;
}

/** Only web addresses open; anything else (javascript:…) is shown as text. */
export function webURL(u: string | undefined): string {
  if (!u) return '';
  try {
    const url = new URL(u, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
  } catch {
    return '';
  }
}

/** A link that leaves the shell in a new tab. */
function Out(props: { href?: string; class?: string; children: ComponentChildren; label?: string }) {
  const href = webURL(props.href);
  if (!href) return <div class={props.class}>{props.children}</div>;
  return (
    <a class={props.class} href={href} target="_blank" rel="noopener noreferrer" aria-label={props.label}>
      {props.children}
    </a>
  );
}

/** Where a picture, voice or video loads from; only a web address (it also becomes a link). */
function mediaURL(m: Message): string {
  return webURL(m.body.url || (m.body.media_id ? '/shell/media/' + encodeURIComponent(m.body.media_id) : ''));
}

/** The one-line summary the chat list shows. */
export function preview(m: Message): string {
  const b = m.body;
  const t = (label: string, title?: string) => (title ? `[${label}] ${title}` : `[${label}]`);
  switch (m.kind) {
    case 'text':
    case 'notice':
      return b.text ?? '';
    case 'image':
      return '[Image]';
    case 'voice':
      return '[Voice]';
    case 'video':
      return t('Video', b.title);
    case 'music':
      return t('Music', b.title);
    case 'news':
    case 'mpnews':
      return t('Link', b.articles?.[0]?.title ?? b.title);
    case 'msgmenu':
      return b.menu?.head_content || b.menu?.list[0]?.content || '[Choices]';
    case 'miniprogrampage':
      return t('Mini Program', b.miniprogram?.title ?? b.title);
    case 'template':
      return b.template?.title ?? '[Notification]';
    case 'location':
      return t('Location', b.location?.label);
    case 'link':
      return t('Link', b.title);
  }
  return `[${m.kind}]`;
}

function Articles({ articles }: { articles: Article[] }) {
  const [first, ...rest] = articles;
  if (rest.length === 0) {
    return (
      <Out href={first.url} class="oa-card oa-news" label={first.title}>
        <p class="oa-card__title">{first.title}</p>
        {first.picurl && <img class="oa-news__cover" src={first.picurl} alt="" />}
        {first.description && <p class="oa-card__desc">{first.description}</p>}
      </Out>
    );
  }
  return (
    <div class="oa-card oa-news oa-news_multi" data-testid="news-stack">
      <Out href={first.url} class="oa-news__top" label={first.title}>
        {first.picurl ? <img class="oa-news__cover" src={first.picurl} alt="" /> : <div class="oa-news__cover oa-news__cover_none" />}
        <p class="oa-news__top-title">{first.title}</p>
      </Out>
      {rest.map((a) => (
        <Out href={a.url} class="oa-news__row" label={a.title}>
          <p class="oa-news__row-title">{a.title}</p>
          {a.picurl && <img class="oa-news__thumb" src={a.picurl} alt="" />}
        </Out>
      ))}
    </div>
  );
}

function MiniProgramCard(props: { mp: MiniProgramLink; title?: string; thumb?: string; actions: MessageActions }) {
  const { mp } = props;
  return (
    <button type="button" class="oa-card oa-mp" onClick={() => props.actions.openMiniProgram(mp)} data-testid="miniprogram-card">
      <span class="oa-mp__head">
        <span class="oa-mp__logo" aria-hidden="true" />
        Mini Program
      </span>
      <span class="oa-card__title">{props.title || mp.title || mp.pagepath}</span>
      {(props.thumb || mp.thumb_url) && <img class="oa-mp__thumb" src={props.thumb || mp.thumb_url} alt="" />}
      <span class="oa-mp__foot">{mp.appid}</span>
    </button>
  );
}

/** The content of one message (without avatar and alignment). */
function Content({ m, actions }: { m: Message; actions: MessageActions }) {
  const b = m.body;
  switch (m.kind) {
    case 'text':
      return <div class="oa-bubble">{b.text}</div>;
    case 'image':
      return <ChatImage src={mediaURL(m)} />;
    case 'voice': {
      const src = mediaURL(m);
      return (
        <div class="oa-bubble oa-voice">
          <span aria-hidden="true">🔊 </span>Voice message
          {src && <audio controls preload="none" src={src} aria-label="Voice message" />}
        </div>
      );
    }
    case 'video': {
      const src = mediaURL(m);
      return (
        <div class="oa-card oa-video">
          {src ? <video controls preload="metadata" src={src} aria-label={b.title || 'Video'} /> : <p>Video</p>}
          {b.title && <p class="oa-card__title">{b.title}</p>}
          {b.description && <p class="oa-card__desc">{b.description}</p>}
        </div>
      );
    }
    case 'music':
      return (
        <Out href={b.hq_music_url || b.music_url} class="oa-card oa-music" label={'Play ' + (b.title || 'music')}>
          <span class="oa-music__icon" aria-hidden="true">
            ♪
          </span>
          <span class="oa-music__text">
            <span class="oa-card__title">{b.title || 'Music'}</span>
            {b.description && <span class="oa-card__desc">{b.description}</span>}
          </span>
        </Out>
      );
    case 'news':
    case 'mpnews':
      if (b.articles?.length) return <Articles articles={b.articles} />;
      return (
        <Out href={b.url} class="oa-card">
          <p class="oa-card__title">{b.title || 'Article'}</p>
          {b.description && <p class="oa-card__desc">{b.description}</p>}
        </Out>
      );
    case 'msgmenu': {
      const menu = b.menu;
      return (
        <div class="oa-bubble oa-msgmenu">
          {menu?.head_content && <p>{menu.head_content}</p>}
          {menu?.list.map((c) => (
            <button type="button" class="oa-msgmenu__choice" onClick={() => actions.choose(c.content, c.id)}>
              {c.content}
            </button>
          ))}
          {menu?.tail_content && <p>{menu.tail_content}</p>}
        </div>
      );
    }
    case 'miniprogrampage':
      return b.miniprogram ? <MiniProgramCard mp={b.miniprogram} title={b.title} thumb={b.thumb_url} actions={actions} /> : null;
    case 'template': {
      const tpl = b.template;
      if (!tpl) return null;
      const detail = tpl.miniprogram ? (
        <button type="button" class="oa-template__detail" onClick={() => actions.openMiniProgram(tpl.miniprogram!)}>
          详情 Details
        </button>
      ) : webURL(tpl.url) ? (
        <a class="oa-template__detail" href={webURL(tpl.url)} target="_blank" rel="noopener noreferrer">
          详情 Details
        </a>
      ) : null;
      // first and remark are the old templates' opening and closing lines,
      // shown without a label.
      const plain = (k: string) => tpl.fields.find((f) => !f.label && f.key.toLowerCase() === k);
      const first = plain('first');
      const remark = plain('remark');
      const colored = (color?: string) => (color && /^#[0-9a-fA-F]{3,8}$/.test(color) ? { color } : undefined);
      return (
        <div class="oa-card oa-template" data-testid="template-card">
          <p class="oa-card__title">{tpl.title}</p>
          {first && (
            <p class="oa-card__desc" style={colored(first.color)}>
              {first.value}
            </p>
          )}
          <dl class="oa-template__fields">
            {tpl.fields.filter((f) => f !== first && f !== remark).map((f) => (
              <div class="oa-template__field">
                <dt>{f.label || f.key}</dt>
                <dd style={colored(f.color)}>{f.value}</dd>
              </div>
            ))}
          </dl>
          {remark && (
            <p class="oa-card__desc" style={colored(remark.color)}>
              {remark.value}
            </p>
          )}
          {detail}
        </div>
      );
    }
    case 'location': {
      const l = b.location;
      if (!l) return null;
      const map = `https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=${l.scale || 15}/${l.latitude}/${l.longitude}`;
      return (
        <Out href={map} class="oa-card oa-location" label={'Location ' + l.label}>
          <span class="oa-location__pin" aria-hidden="true">
            📍
          </span>
          <span class="oa-location__text">
            <span class="oa-card__title">{l.label || 'Location'}</span>
            <span class="oa-card__desc">
              {l.latitude.toFixed(5)}, {l.longitude.toFixed(5)}
            </span>
          </span>
        </Out>
      );
    }
    case 'link':
      return (
        <Out href={b.url} class="oa-card oa-link">
          <p class="oa-card__title">{b.title}</p>
          {b.description && <p class="oa-card__desc">{b.description}</p>}
        </Out>
      );
  }
  return <div class="oa-bubble oa-unknown">This message ({m.kind}) cannot be shown here.</div>;
}

const bubbleKinds = new Set(['text', 'voice', 'msgmenu']);

/** One row of the conversation. */
export function MessageRow(props: { m: Message; account: string; me: { name: string; avatar_url: string }; actions: MessageActions }) {
  const { m } = props;
  if (m.kind === 'event') return null;
  if (m.direction === 'notice' || m.kind === 'notice') {
    return (
      <p class="oa-notice" role="note" data-testid="message" data-kind="notice">
        {m.body.text}
      </p>
    );
  }
  const mine = m.direction === 'in';
  return (
    <div
      class={'oa-msg' + (mine ? ' oa-msg_mine' : '') + (bubbleKinds.has(m.kind) ? '' : ' oa-msg_card')}
      data-testid="message"
      data-kind={m.kind}
      data-direction={m.direction}
    >
      <Avatar user={mine ? props.me : { name: props.account, avatar_url: '' }} size="s" />
      <div class="oa-msg__body">
        <Content m={m} actions={props.actions} />
      </div>
    </div>
  );
}

/**
 * An image in a chat. A long press (the context menu) offers WeChat's
 * "recognize the code in the image": a mini program code opens with scene
 * 1048, an official account's code opens its chat, a web address its page.
 */
function ChatImage({ src }: { src: string }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState('');
  const recognize = async () => {
    setAsking(false);
    try {
      const image = await fetch(src, { credentials: 'same-origin' }).then((r) => {
        if (!r.ok) throw new ApiError(r.status, 'http_' + r.status, 'The image could not be loaded.');
        return r.blob();
      });
      const found = await api.scanImage(image);
      if (isMiniProgramLink(found.text)) {
        navigate((await resolveMiniProgramLink(found.text, 'longpress')).launch_url);
      } else if (found.appid) {
        navigate('/chats/' + encodeURIComponent(found.appid));
      } else if (webURL(found.url)) {
        window.open(webURL(found.url), '_blank', 'noopener,noreferrer');
      } else {
        setError('The code in the image opens nothing here.');
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <>
      <a
        class="oa-image"
        href={src}
        target="_blank"
        rel="noopener noreferrer"
        onContextMenu={(e) => {
          e.preventDefault();
          setAsking(true);
        }}
      >
        <img src={src} alt="Image from the account" />
      </a>
      {asking && (
        <Dialog title="Recognize the code in the image?" confirm="Recognize" onConfirm={recognize} onCancel={() => setAsking(false)} />
      )}
      {error && <Toptips text={error} onClose={() => setError('')} />}
    </>
  );
}
