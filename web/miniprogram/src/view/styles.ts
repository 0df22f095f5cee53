// Stylesheets: compiled WXSS sheets joined with WeChat's rpx rule, asset
// URLs mapped to content-addressed files, and the frame's own CSS.

import type { Sheet } from '../protocol';

let windowWidth = 375;

export function setWindowWidth(w: number): void {
  windowWidth = w > 0 ? w : 375;
}

/** rpx → px with WeChat's rounding: floor(n/750*w + 1e-4); a non-zero value that floors to 0 becomes 1. */
export function rpxToPx(n: number): number {
  if (n === 0) return 0;
  let v = Math.floor((n / 750) * windowWidth + 1e-4);
  if (v === 0) v = n > 0 ? 1 : -1;
  return v;
}

export function joinSheet(sheet: Sheet): string {
  let out = '';
  for (const seg of sheet) out += typeof seg === 'number' ? rpxToPx(seg) + 'px' : seg;
  return out;
}

/** rpx units in an inline style attribute. */
export function inlineStyle(style: string): string {
  return style.indexOf('rpx') < 0 ? style : style.replace(/(-?(?:\d+\.?\d*|\.\d+))rpx/g, (_, n) => rpxToPx(parseFloat(n)) + 'px');
}

/** Rewrites url(...) of package files to their content-addressed URLs. */
export function mapUrls(css: string, resolve: (path: string) => string): string {
  return css.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (m, q, u: string) => {
    if (/^(data:|https?:|blob:|\/\/|#)/.test(u)) return m;
    return `url(${q}${resolve(u)}${q})`;
  });
}

/** Base styles inside every page (before the component defaults and the app's sheets). */
export const pageBaseCSS = `
:host { display: block; }
wx-page { display: block; min-height: 100%; font-size: 16px; line-height: normal; font-family: -apple-system, "PingFang SC", "Helvetica Neue", "Microsoft YaHei", sans-serif; -webkit-tap-highlight-color: transparent; }
/* As in WeChat, only <text user-select> (and form fields) can be selected: a drag does not select the page. */
wx-page { -webkit-user-select: none; user-select: none; }
wx-slot, [wx-virtual] { display: contents; }
[hidden] { display: none !important; }
wx-view, wx-block { display: block; }
wx-text { display: inline; }
wx-swiper-item, wx-scroll-view { display: block; }
.mp-ptr { height: 0; overflow: hidden; display: flex; align-items: flex-end; justify-content: center; }
.mp-ptr i { width: 6px; height: 6px; margin: 0 3px 20px; border-radius: 50%; background: #bbb; display: inline-block; animation: mp-dot 1s infinite; }
.mp-ptr.dark i { background: #eee; }
.mp-ptr i:nth-child(2) { animation-delay: .2s; } .mp-ptr i:nth-child(3) { animation-delay: .4s; }
@keyframes mp-dot { 0%, 100% { opacity: .3; } 50% { opacity: 1; } }
`;

/** The frame's own chrome: navigation bar, pages, tabBar, toast, modal, action sheet. */
export const chromeCSS = `
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; }
body { font-family: -apple-system, "PingFang SC", "Helvetica Neue", "Microsoft YaHei", sans-serif; -webkit-tap-highlight-color: transparent; }
.mp-nav { position: absolute; left: 0; right: 0; top: 0; height: 44px; display: flex; align-items: center; justify-content: center; z-index: 20; box-sizing: border-box; padding: 0 96px; }
.mp-nav[hidden] { display: none; }
.mp-nav .mp-title { font-size: 17px; font-weight: 500; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; display: flex; align-items: center; }
.mp-nav .mp-back { position: absolute; left: 0; top: 0; width: 44px; height: 44px; border: 0; background: none; color: inherit; font-size: 0; cursor: pointer; padding: 0; }
.mp-nav .mp-back::before { content: ""; display: block; width: 11px; height: 11px; margin: 0 auto 0 16px; border: solid currentColor; border-width: 0 0 2px 2px; transform: rotate(45deg); }
.mp-nav .mp-spin { width: 16px; height: 16px; margin-right: 6px; border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%; animation: mp-spin .8s linear infinite; }
@keyframes mp-spin { to { transform: rotate(360deg); } }
/* The top page's viewport. contain: layout makes it the containing block of
   position: fixed in pages (a bar at bottom: 0 sits above the tabBar, top: 0
   below the navigation bar, as in WeChat) without scrolling with the page. */
.mp-pages { position: absolute; left: 0; right: 0; top: 44px; bottom: 0; contain: layout; }
.mp-pages.mp-custom { top: 0; }
.mp-pages.mp-tab { bottom: 50px; }
.mp-pages.mp-tab.mp-tab-top { top: 94px; bottom: 0; }
.mp-page { position: absolute; inset: 0; overflow-x: hidden; overflow-y: auto; -webkit-overflow-scrolling: touch; background: #fff; }
.mp-page.mp-noscroll { overflow: hidden; }
.mp-page.mp-hidden { visibility: hidden; pointer-events: none; }
.mp-page.mp-enter { animation: mp-enter .2s ease-out; }
@keyframes mp-enter { from { transform: translateX(30%); opacity: .6; } to { transform: none; opacity: 1; } }
.mp-tabbar { position: absolute; left: 0; right: 0; bottom: 0; height: 50px; display: flex; z-index: 20; box-sizing: border-box; border-top: 1px solid rgba(0,0,0,.33); }
.mp-tabbar.white { border-top-color: rgba(255,255,255,.33); }
.mp-tabbar.top { top: 44px; bottom: auto; border-top: 0; border-bottom: 1px solid rgba(0,0,0,.33); }
.mp-tabbar[hidden] { display: none; }
.mp-tab-item { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; font-size: 10px; position: relative; cursor: pointer; background: none; border: 0; padding: 0; font-family: inherit; }
.mp-tab-item img { width: 24px; height: 24px; display: block; margin-bottom: 2px; }
.mp-tabbar.top .mp-tab-item { font-size: 15px; }
.mp-tabbar.top .mp-tab-item img { display: none; }
.mp-badge { position: absolute; top: 2px; left: calc(50% + 6px); min-width: 16px; height: 16px; padding: 0 4px; box-sizing: border-box; border-radius: 8px; background: #fa5151; color: #fff; font-size: 11px; line-height: 16px; text-align: center; }
.mp-dot { position: absolute; top: 4px; left: calc(50% + 10px); width: 8px; height: 8px; border-radius: 50%; background: #fa5151; }
.mp-mask { position: fixed; inset: 0; z-index: 1000; }
.mp-dim { background: rgba(0,0,0,.6); }
.mp-toast { position: fixed; z-index: 1001; left: 50%; top: 40%; transform: translate(-50%, -50%); min-width: 120px; max-width: 70%; box-sizing: border-box; padding: 16px; border-radius: 12px; background: rgba(17,17,17,.8); color: #fff; text-align: center; font-size: 14px; }
.mp-toast.mp-text-only { min-width: 0; padding: 10px 16px; }
.mp-toast .mp-icon { width: 40px; height: 40px; margin: 6px auto 10px; display: block; }
.mp-toast .mp-loading { width: 36px; height: 36px; margin: 8px auto 12px; border: 3px solid rgba(255,255,255,.9); border-right-color: transparent; border-radius: 50%; animation: mp-spin .8s linear infinite; }
.mp-modal { position: fixed; z-index: 1002; left: 50%; top: 50%; transform: translate(-50%, -50%); width: 80%; max-width: 320px; background: #fff; border-radius: 12px; overflow: hidden; text-align: center; }
.mp-modal .mp-mt { padding: 32px 24px 16px; font-size: 17px; font-weight: 700; }
.mp-modal .mp-mc { padding: 0 24px 32px; font-size: 17px; color: rgba(0,0,0,.5); word-wrap: break-word; white-space: pre-wrap; }
.mp-modal .mp-mt + .mp-mc { padding-top: 0; }
.mp-modal .mp-mc.mp-only { padding-top: 32px; color: rgba(0,0,0,.9); }
.mp-modal input { width: 100%; box-sizing: border-box; border: 1px solid rgba(0,0,0,.1); border-radius: 4px; padding: 8px; font-size: 16px; }
.mp-modal .mp-mf { display: flex; border-top: 1px solid rgba(0,0,0,.1); }
.mp-modal .mp-mf button { flex: 1; height: 56px; border: 0; background: none; font-size: 17px; font-weight: 700; cursor: pointer; font-family: inherit; }
.mp-modal .mp-mf button + button { border-left: 1px solid rgba(0,0,0,.1); }
.mp-sheet { position: fixed; z-index: 1002; left: 0; right: 0; bottom: 0; background: #f7f7f7; border-radius: 12px 12px 0 0; overflow: hidden; }
.mp-sheet button { display: block; width: 100%; height: 56px; border: 0; border-bottom: 1px solid rgba(0,0,0,.1); background: #fff; font-size: 17px; cursor: pointer; font-family: inherit; }
.mp-sheet .mp-alert { padding: 16px; font-size: 14px; color: rgba(0,0,0,.5); text-align: center; background: #fff; border-bottom: 1px solid rgba(0,0,0,.1); }
.mp-sheet .mp-cancel { margin-top: 8px; border: 0; }
`;
