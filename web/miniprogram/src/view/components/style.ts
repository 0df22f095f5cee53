// Default styles of the built-in components (WeUI look, WeChat's default
// sizes). The view core injects this sheet before the app's stylesheets, so
// app WXSS overrides it with equal specificity.

const GREEN = "#07c160";

export const componentStyles = `
wx-view, wx-cover-view, wx-form, wx-checkbox-group, wx-radio-group, wx-navigator, wx-rich-text { display: block; }
.wx-hidden-slot { display: none !important; }

wx-text { display: inline; white-space: pre-line; -webkit-user-select: none; user-select: none; }
wx-text[selectable] { -webkit-user-select: text; user-select: text; }

wx-icon { display: inline-block; font-size: 0; vertical-align: middle; line-height: 0; }
.wx-icon-svg svg { display: inline-block; }

wx-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; position: relative; vertical-align: top; }
wx-image[mode="widthFix"] { height: auto; }
.wx-image-pic { position: absolute; inset: 0; background-repeat: no-repeat; }
wx-cover-image { display: block; width: 320px; height: 240px; overflow: hidden; position: relative; }

/* button: WeChat "style v2" (WeUI 2) */
wx-button {
  position: relative; display: block; box-sizing: border-box; width: 184px; margin-left: auto; margin-right: auto;
  padding: 12px 24px; font-size: 17px; font-weight: 700; line-height: 1.41176471; text-align: center;
  border-radius: 8px; overflow: hidden; cursor: pointer; -webkit-tap-highlight-color: transparent;
  color: #06ae56; background-color: #f2f2f2; -webkit-user-select: none; user-select: none;
}
wx-button[type="primary"] { color: #fff; background-color: ${GREEN}; }
wx-button[type="warn"] { color: #fa5151; background-color: #f2f2f2; }
wx-button.button-hover { background-color: #e0e0e0; }
wx-button[type="primary"].button-hover { background-color: #06ad56; color: rgba(255, 255, 255, .6); }
wx-button[plain] { background-color: transparent; border: 1px solid #353535; color: #353535; }
wx-button[plain][type="primary"] { color: ${GREEN}; border-color: ${GREEN}; }
wx-button[plain][type="warn"] { color: #fa5151; border-color: #fa5151; }
wx-button[plain].button-hover { background-color: rgba(0, 0, 0, .05); }
wx-button[size="mini"] { display: inline-block; width: auto; padding: 0 .75em; line-height: 2.3; font-size: 13px; border-radius: 4px; margin: 0 .2em; }
wx-button[disabled], wx-button[disabled][type] { color: rgba(0, 0, 0, .2); background-color: #f2f2f2; border-color: rgba(0, 0, 0, .1); cursor: default; }
wx-button[disabled][plain] { background-color: transparent; }
wx-button + wx-button:not([size="mini"]) { margin-top: 16px; }
.wx-button-loading {
  display: inline-block; vertical-align: -.15em; width: 1em; height: 1em; margin-right: .4em; box-sizing: border-box;
  border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%; opacity: .7;
  animation: wx-spin .8s linear infinite;
}
@keyframes wx-spin { to { transform: rotate(360deg); } }

.navigator-hover { background-color: rgba(0, 0, 0, .1); opacity: .7; }

/* input / textarea */
wx-input { display: block; position: relative; height: 1.4rem; min-height: 1.4rem; overflow: hidden; white-space: nowrap; cursor: auto; }
wx-textarea { display: block; position: relative; width: 300px; height: 150px; cursor: auto; }
.wx-input-field, .wx-textarea-field {
  position: relative; z-index: 1; display: block; box-sizing: border-box; width: 100%; height: 100%; margin: 0; padding: 0;
  border: 0; outline: none; background: transparent; font: inherit; color: inherit; text-align: inherit;
  line-height: inherit; letter-spacing: inherit;
}
.wx-textarea-field { resize: none; overflow: auto; }
.wx-input-placeholder {
  position: absolute; left: 0; right: 0; top: 50%; transform: translateY(-50%); pointer-events: none;
  overflow: hidden; white-space: nowrap; text-overflow: clip; text-align: inherit;
}
wx-textarea .wx-input-placeholder { top: 0; transform: none; white-space: pre-wrap; }
.input-placeholder, .textarea-placeholder { color: #808080; }
wx-input[disabled], wx-textarea[disabled] { color: rgba(0, 0, 0, .3); }

/* checkbox / radio / switch */
wx-checkbox, wx-radio, wx-switch { display: inline-block; cursor: pointer; -webkit-tap-highlight-color: transparent; vertical-align: middle; }
.wx-checkbox-input, .wx-radio-input {
  display: inline-block; position: relative; box-sizing: border-box; width: 24px; height: 24px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #d1d1d1; background-color: #fff;
}
.wx-checkbox-input { border-radius: 3px; }
.wx-radio-input { border-radius: 50%; }
.wx-checkbox-input[checked]::before {
  content: ""; position: absolute; left: 50%; top: 45%; width: 12px; height: 6px;
  border-left: 2px solid var(--wx-check-color, ${GREEN}); border-bottom: 2px solid var(--wx-check-color, ${GREEN});
  transform: translate(-50%, -50%) rotate(-45deg);
}
.wx-radio-input[checked] { background-color: var(--wx-check-color, ${GREEN}); border-color: var(--wx-check-color, ${GREEN}); }
.wx-radio-input[checked]::before {
  content: ""; position: absolute; left: 50%; top: 45%; width: 10px; height: 5px;
  border-left: 2px solid #fff; border-bottom: 2px solid #fff; transform: translate(-50%, -50%) rotate(-45deg);
}
wx-checkbox[disabled] .wx-checkbox-input, wx-radio[disabled] .wx-radio-input, wx-switch[disabled] .wx-checkbox-input { background-color: #e1e1e1; }
wx-radio[disabled] .wx-radio-input[checked] { opacity: .5; }
wx-checkbox[disabled], wx-radio[disabled], wx-switch[disabled] { cursor: default; }
.wx-switch-input {
  display: inline-block; position: relative; box-sizing: border-box; width: 52px; height: 32px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #dfdfdf; border-radius: 16px; background-color: #dfdfdf;
  transition: background-color .1s, border .1s;
}
.wx-switch-input::before, .wx-switch-input::after { content: ""; position: absolute; top: 0; left: 0; height: 30px; border-radius: 15px; }
.wx-switch-input::before { width: 50px; background-color: #fdfdfd; transition: transform .3s; }
.wx-switch-input::after { width: 30px; background-color: #fff; box-shadow: 0 1px 3px rgba(0, 0, 0, .4); transition: transform .3s; }
.wx-switch-input[checked] { border-color: var(--wx-check-color, ${GREEN}); background-color: var(--wx-check-color, ${GREEN}); }
.wx-switch-input[checked]::before { transform: scale(0); }
.wx-switch-input[checked]::after { transform: translateX(20px); }
wx-switch[disabled] .wx-switch-input { opacity: .5; }

/* slider */
wx-slider { display: block; margin: 10px 18px; padding: 0; }
.wx-slider-wrapper { display: flex; align-items: center; min-height: 16px; }
.wx-slider-tap-area { position: relative; flex: 1; padding: 14px 0; cursor: pointer; touch-action: none; }
.wx-slider-track { position: relative; height: 2px; border-radius: 5px; }
.wx-slider-fill { height: 100%; border-radius: 5px; }
.wx-slider-thumb { position: absolute; top: 50%; border-radius: 50%; box-shadow: 0 0 4px rgba(0, 0, 0, .2); }
.wx-slider-value { min-width: 3ch; margin-left: 14px; color: #888; font-size: 14px; text-align: right; }
wx-slider[disabled] .wx-slider-tap-area { cursor: default; opacity: .5; }

/* progress */
wx-progress { display: flex; align-items: center; }
.wx-progress-bar { flex: 1; overflow: hidden; }
.wx-progress-inner-bar { width: 0; height: 100%; }
.wx-progress-info { margin-left: 15px; min-width: 2em; }

/* picker sheet */
wx-picker { display: block; cursor: pointer; }
.wx-picker-root { position: fixed; inset: 0; z-index: 5000; }
.wx-picker-mask { position: absolute; inset: 0; background: rgba(0, 0, 0, .6); opacity: 0; transition: opacity .25s; }
.wx-picker-sheet {
  position: absolute; left: 0; right: 0; bottom: 0; background: #fff; border-radius: 12px 12px 0 0;
  transform: translateY(100%); transition: transform .25s; padding-bottom: env(safe-area-inset-bottom);
  font-family: -apple-system, BlinkMacSystemFont, "Helvetica Neue", "PingFang SC", "Microsoft YaHei", sans-serif;
}
.wx-picker-open .wx-picker-mask { opacity: 1; }
.wx-picker-open .wx-picker-sheet { transform: none; }
.wx-picker-header { display: flex; align-items: center; justify-content: space-between; padding: 16px 24px 8px; min-height: 36px; }
.wx-picker-title { flex: 1; text-align: center; font-size: 17px; font-weight: 700; color: rgba(0, 0, 0, .9); }
.wx-picker-action { font: inherit; font-size: 17px; border: 0; background: none; padding: 6px 0; cursor: pointer; color: rgba(0, 0, 0, .9); }
.wx-picker-confirm { color: #fff; background: ${GREEN}; border-radius: 6px; padding: 6px 16px; font-weight: 700; font-size: 15px; }
.wx-picker-body { position: relative; display: flex; margin: 8px 16px 24px; overflow: hidden; }
.wx-picker-column {
  flex: 1; height: 100%; box-sizing: border-box; overflow-y: auto; scroll-snap-type: y mandatory;
  scrollbar-width: none; overscroll-behavior: contain; touch-action: pan-y;
}
.wx-picker-column::-webkit-scrollbar, wx-picker-view-column::-webkit-scrollbar { display: none; }
.wx-picker-item {
  display: flex; align-items: center; justify-content: center; scroll-snap-align: start; padding: 0 4px;
  font-size: 17px; color: rgba(0, 0, 0, .9); white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.wx-picker-indicator {
  position: absolute; left: 0; right: 0; height: 34px; box-sizing: border-box; pointer-events: none;
  background: rgba(0, 0, 0, .05); border-radius: 8px;
}
.wx-picker-mask-gradient {
  position: absolute; inset: 0; pointer-events: none;
  background: linear-gradient(180deg, rgba(255, 255, 255, .95), rgba(255, 255, 255, .6) 42%, rgba(255, 255, 255, 0) 43%, rgba(255, 255, 255, 0) 57%, rgba(255, 255, 255, .6) 58%, rgba(255, 255, 255, .95));
}

/* picker-view */
wx-picker-view { display: block; position: relative; overflow: hidden; }
.wx-picker-view-wrapper { display: flex; position: relative; height: 100%; }
wx-picker-view-column {
  display: block; flex: 1; height: 100%; overflow-y: auto; scroll-snap-type: y mandatory;
  scrollbar-width: none; overscroll-behavior: contain; touch-action: pan-y;
}
.wx-picker-view-content > * { scroll-snap-align: start; }
.wx-picker-view-mask {
  position: absolute; inset: 0; z-index: 2; pointer-events: none;
  background: linear-gradient(180deg, rgba(255, 255, 255, .95), rgba(255, 255, 255, .6) 40%, rgba(255, 255, 255, 0) 45%, rgba(255, 255, 255, 0) 55%, rgba(255, 255, 255, .6) 60%, rgba(255, 255, 255, .95));
}
.wx-picker-view-indicator {
  position: absolute; left: 0; right: 0; z-index: 3; height: 34px; box-sizing: border-box; pointer-events: none;
  border-top: 1px solid #e5e5e5; border-bottom: 1px solid #e5e5e5;
}

/* scroll-view */
wx-scroll-view { display: block; position: relative; width: 100%; overflow: hidden; }
.wx-scroll-view-scroller {
  position: relative; width: 100%; height: 100%; max-height: inherit; box-sizing: border-box;
  -webkit-overflow-scrolling: touch; overscroll-behavior: contain;
  flex-direction: inherit; flex-wrap: inherit; align-items: inherit; justify-content: inherit; white-space: inherit;
}
wx-scroll-view[enable-flex] .wx-scroll-view-content {
  display: flex; flex-direction: inherit; flex-wrap: inherit; align-items: inherit; justify-content: inherit;
}
wx-scroll-view[enable-flex][scroll-x] .wx-scroll-view-content { width: max-content; min-width: 100%; }
.wx-scroll-view-no-bar { scrollbar-width: none; }
.wx-scroll-view-no-bar::-webkit-scrollbar { display: none; }
.wx-scroll-view-refresher { display: flex; align-items: center; justify-content: center; height: 0; overflow: hidden; }
.wx-scroll-view-refresher-dots { display: flex; gap: 6px; }
.wx-scroll-view-refresher-dots i { width: 6px; height: 6px; border-radius: 50%; background: rgba(0, 0, 0, .3); animation: wx-dot 1s infinite; }
.wx-scroll-view-refresher[refresher-style="white"] .wx-scroll-view-refresher-dots i { background: rgba(255, 255, 255, .7); }
.wx-scroll-view-refresher[refresher-style="none"] .wx-scroll-view-refresher-dots { display: none; }
.wx-scroll-view-refresher-dots i:nth-child(2) { animation-delay: .2s; }
.wx-scroll-view-refresher-dots i:nth-child(3) { animation-delay: .4s; }
@keyframes wx-dot { 50% { opacity: .3; } }

/* swiper */
wx-swiper { display: block; position: relative; height: 150px; overflow: hidden; }
.wx-swiper-frame { position: absolute; inset: 0; overflow: hidden; touch-action: pan-y; -webkit-user-select: none; user-select: none; }
wx-swiper[vertical] .wx-swiper-frame { touch-action: pan-x; }
.wx-swiper-track { position: relative; width: 100%; height: 100%; }
wx-swiper-item { display: block; position: absolute; top: 0; left: 0; width: 100%; height: 100%; overflow: hidden; box-sizing: border-box; will-change: transform; }
.wx-swiper-dots { position: absolute; left: 50%; bottom: 10px; transform: translateX(-50%); display: flex; z-index: 1; pointer-events: none; }
.wx-swiper-dots[vertical] { left: auto; right: 10px; bottom: auto; top: 50%; transform: translateY(-50%); flex-direction: column; }
.wx-swiper-dot { width: 8px; height: 8px; margin: 0 4px; border-radius: 50%; transition: background-color .3s; }
.wx-swiper-dots[vertical] .wx-swiper-dot { margin: 4px 0; }

/* movable */
wx-movable-area { display: block; position: relative; width: 10px; height: 10px; }
wx-movable-view { display: inline-block; position: absolute; top: 0; left: 0; width: 10px; height: 10px; touch-action: none; cursor: grab; }

/* placeholders */
wx-video { display: inline-block; position: relative; width: 300px; height: 225px; }
wx-map, wx-canvas { display: inline-block; position: relative; width: 300px; height: 150px; }
wx-camera, wx-live-player, wx-live-pusher { display: block; position: relative; width: 100%; height: 225px; }
wx-web-view { display: block; position: relative; width: 100%; min-height: 200px; }
.wx-placeholder {
  display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 6px;
  width: 100%; height: 100%; min-height: inherit; box-sizing: border-box; padding: 12px;
  background: #f2f2f2; border: 1px dashed rgba(0, 0, 0, .15); color: rgba(0, 0, 0, .5);
  font-size: 13px; text-align: center; overflow: hidden; word-break: break-all;
}
.wx-placeholder-title { font-weight: 700; color: rgba(0, 0, 0, .7); }
.wx-placeholder-url { color: rgba(0, 0, 0, .7); }
.wx-placeholder-link { color: #576b95; background: none; border: 0; padding: 0; font: inherit; text-decoration: underline; cursor: pointer; }
.wx-placeholder-slot { position: absolute; inset: 0; pointer-events: none; }
.wx-placeholder-slot > * { pointer-events: auto; }
`;
