// Mini program codes and links read by the scan page: a code's address
// (…/mpcode/<appid>?…), a URL link (…/wxaurl/<ticket>), a URL scheme
// (weixin://dl/business/?t=…) or a short link (#小程序://…/<ticket>). The
// server resolves them (GET /shell/api/mplink) into the shell's launch URL
// with WeChat's scene: 1047 camera, 1048 long-press, 1049 album, 1065
// scheme, 1179 short link, 1194 URL link.
import { call } from './api';

/** How a code was read. */
export type CodeVia = 'camera' | 'album' | 'longpress';

/** What opening a code or link does (internal/wxacode Launch). */
export type Launch = {
  appid: string;
  path: string;
  query: string;
  scene: number;
  env_version: string;
  launch_url: string;
};

/** Whether text looks like one of this platform's mini program codes or links. */
export function isMiniProgramLink(text: string): boolean {
  const t = text.trim();
  if (t.startsWith('#小程序://') || t.startsWith('weixin://dl/business')) return true;
  try {
    const u = new URL(t);
    return (u.protocol === 'http:' || u.protocol === 'https:') && /^\/(mpcode|wxaurl)\/[^/]+$/.test(u.pathname);
  } catch {
    return false;
  }
}

/** Resolves a code or link read a given way; ApiError when it opens nothing. */
export async function resolveMiniProgramLink(text: string, via: CodeVia): Promise<Launch> {
  const q = new URLSearchParams({ text: text.trim(), via });
  return call<Launch>('GET', 'mplink?' + q);
}
