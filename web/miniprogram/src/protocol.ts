// Messages between the logic layer (worker), the view layer (the frame's main
// thread) and the shell (the frame's parent). docs/miniprogram.md is the
// contract; this file is its TypeScript form. Everything is structured-clone
// JSON.

/** A sheet compiled by internal/miniprogram/wxss: CSS text and rpx numbers. */
export type Sheet = Array<string | number>;

/** pack.Manifest (docs/miniprogram.md, "Package files"). */
export interface Manifest {
  appid: string;
  hash: string;
  app: AppConfig;
  pages: Record<string, PageConfig>;
  components: Record<string, ComponentConfig>;
  packages: PackageInfo[];
}

export interface WindowConfig {
  navigationBarBackgroundColor?: string;
  navigationBarTextStyle?: 'black' | 'white' | string;
  navigationBarTitleText?: string;
  navigationStyle?: 'default' | 'custom' | string;
  backgroundColor?: string;
  backgroundTextStyle?: string;
  enablePullDownRefresh?: boolean;
  onReachBottomDistance?: number;
  disableScroll?: boolean;
  [k: string]: unknown;
}

export interface TabBarItem {
  pagePath: string;
  text?: string;
  iconPath?: string;
  selectedIconPath?: string;
}

export interface TabBarConfig {
  color?: string;
  selectedColor?: string;
  backgroundColor?: string;
  borderStyle?: string;
  position?: 'bottom' | 'top' | string;
  custom?: boolean;
  list: TabBarItem[];
}

export interface AppConfig {
  pages: string[];
  window?: WindowConfig;
  tabBar?: TabBarConfig;
  entryPagePath?: string;
  usingComponents?: Record<string, string>;
  subpackages?: Array<{ root: string; name?: string; pages: string[]; independent?: boolean }>;
  /** Subpackages to fetch once a page is ready: page → {network, packages: roots or names}. */
  preloadRule?: Record<string, { network?: 'all' | 'wifi' | string; packages?: string[] }>;
  [k: string]: unknown;
}

export interface PageConfig extends WindowConfig {
  usingComponents?: Record<string, string>;
  component?: boolean;
  package?: string;
  styleIsolation?: string;
}

export interface ComponentConfig {
  usingComponents?: Record<string, string>;
  /** componentGenerics as written; pack resolves each default to a component path. */
  componentGenerics?: Record<string, boolean | { default?: string }>;
  styleScope?: string;
  package?: string;
  styleIsolation?: string;
  component?: boolean;
  [k: string]: unknown;
}

export interface PackageInfo {
  root: string;
  name?: string;
  independent?: boolean;
  pages?: string[];
  files: Record<string, string>;
  /** Names in files of the data files the logic layer gets as strings (Code). */
  data?: string[];
  size: number;
}

/** The host environment the view measures at boot (answers getSystemInfoSync & co). */
export interface Env {
  windowWidth: number;
  windowHeight: number;
  screenWidth: number;
  screenHeight: number;
  pixelRatio: number;
  statusBarHeight: number;
  language: string;
  platform: string;
  system: string;
  brand: string;
  model: string;
  version: string;
  SDKVersion: string;
  theme: 'light' | 'dark';
  [k: string]: unknown;
}

export interface LaunchOptions {
  path: string;
  query: Record<string, string>;
  scene: number;
  referrerInfo?: Record<string, unknown>;
  shareTicket?: string;
}

// ---- DOM ops (logic → view) ----

/** ["e", id, tag, attrs]: create element. */
export type OpCreate = ['e', number, string, Record<string, unknown>];
/** ["t", id, text]: create text. */
export type OpText = ['t', number, string];
/** ["i", parent, id, before]: insert id into parent before `before` (0 = append). */
export type OpInsert = ['i', number, number, number];
/** ["r", id]: remove id and its subtree. */
export type OpRemove = ['r', number];
/** ["a", id, name, value]: set attribute (null removes). */
export type OpAttr = ['a', number, string, unknown];
/** ["x", id, text]: set text. */
export type OpSetText = ['x', number, string];
export type Op = OpCreate | OpText | OpInsert | OpRemove | OpAttr | OpSetText;

// Attribute names the logic layer adds to rendering attributes:
// "$ev": event types bound on the node (the view listens only for those);
// "wx-host": the style scope of a component host (":host" compiles to [wx-host="S"]);
// "wx-virtual": a virtualHost component's host (rendered display: contents).

// ---- logic → view ----

export interface MsgPage {
  t: 'page';
  page: number;
  route: string;
  window: WindowConfig;
  /** How the page enters: "push" (navigateTo), "replace" (redirectTo), "root" (launch, reLaunch, switchTab). */
  how?: 'push' | 'replace' | 'root';
  tab?: number;
}
export interface MsgOps {
  t: 'ops';
  page: number;
  ops: Op[];
  ack?: number;
}
export interface MsgClose {
  t: 'close';
  page: number;
}
export interface MsgCall {
  t: 'call';
  id: number;
  name: string;
  args: unknown[];
}
export interface MsgStack {
  t: 'stack';
  pages: number[];
}
export type LogicToView = MsgPage | MsgOps | MsgClose | MsgCall | MsgStack;

// ---- view → logic ----

/**
 * The app's storage: a list of [key, value] entries (an object would lose a
 * key such as "__proto__"; an object is still accepted).
 */
export type StorageSnapshot = Array<[string, unknown]> | Record<string, unknown>;

export interface MsgBoot {
  t: 'boot';
  manifest: Manifest;
  env: Env;
  storage: StorageSnapshot;
  launch: LaunchOptions;
  /** Which version runs (absent: a release with no ext config). */
  version?: VersionInfo;
}

/** The version a launch runs: wx.getAccountInfoSync's envVersion and version, wx.getExtConfig's extConfig (the ext_json committed with it). */
export interface VersionInfo {
  envVersion: 'develop' | 'trial' | 'release';
  /** The released version's user_version; "" for develop and trial, as WeChat. */
  version: string;
  extConfig: Record<string, unknown>;
}
export interface Touch {
  identifier: number;
  pageX: number;
  pageY: number;
  clientX: number;
  clientY: number;
  force?: number;
}
export interface MsgEvent {
  t: 'event';
  page: number;
  node: number;
  type: string;
  detail: Record<string, unknown>;
  touches?: Touch[];
  changedTouches?: Touch[];
  /** offsetLeft/offsetTop of the target node. */
  target?: { offsetLeft: number; offsetTop: number };
  timeStamp?: number;
  /**
   * On longpress, longtap and the tap ending the same press: the press's
   * number. The logic layer drops that tap when a longpress/longtap
   * handler ran (WeChat's rule).
   */
  press?: number;
}
export interface MsgResult {
  t: 'result';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}
export interface MsgAcked {
  t: 'acked';
  ack: number;
}
export interface MsgViewEvent {
  t: 'viewEvent';
  page: number;
  kind: 'scroll' | 'reachBottom' | 'pullDown' | 'back' | 'tab' | 'resize';
  scrollTop?: number;
  index?: number;
  env?: Env;
}
export interface MsgAppShow {
  t: 'appShow';
  scene?: number;
  path?: string;
  query?: Record<string, string>;
  /** Set when returning from another mini program (scene 1038): {appId, extraData?}. */
  referrerInfo?: Record<string, unknown>;
}
export interface MsgAppHide {
  t: 'appHide';
}
/**
 * An event of a wx API family for the logic layer (socket messages, intersection
 * observers…): the shell's {t:"event"} forwarded, or the view's own.
 */
export interface MsgApiEvent {
  t: 'apiEvent';
  name: string;
  data: unknown;
}
/**
 * The package's code, sent by the frame before "boot" (to a worker started
 * ahead of its app, as soon as the shell hands it over): each script is
 * evaluated in order.
 */
export interface MsgCode {
  t: 'code';
  scripts: Code[];
}
export type ViewToLogic = MsgBoot | MsgEvent | MsgResult | MsgAcked | MsgViewEvent | MsgAppShow | MsgAppHide | MsgApiEvent | MsgCode;

// ---- shell ↔ frame ----

/**
 * A package's service.js: text, or (to a frame whose ready said warm) a
 * Blob, which crosses to the frame and its worker by reference. A package
 * whose manifest lists data files (Package.data: large data literals pack
 * moved out of the code) comes as {script, data}: the data files by name,
 * as text or Blobs, which the module reads with __data(name) — read once,
 * when the module first runs, and never compiled as script.
 */
export type Code = string | Blob | { script: string | Blob; data: Record<string, string | Blob> };

/** A package as the shell sends it; styles is styles.json parsed, or (to a warm frame) its text. */
export interface PackageTexts {
  service: Code;
  styles: Record<string, Sheet> | string;
}
/** A package as the frame keeps it, styles parsed. */
export interface PackageParsed {
  service: Code;
  styles: Record<string, Sheet>;
}
export interface ShellLoad {
  t: 'load';
  /** The logic runtime's text; absent when the frame's worker was started with {t:"warm"}. */
  runtime?: string;
  manifest: Manifest;
  packages: Record<string, PackageTexts>;
  env?: Partial<Env>;
  storage: StorageSnapshot;
  launch: LaunchOptions;
  assetBase: string;
  version?: VersionInfo;
}
/** A subpackage the frame asked for ({t:"need"}), or why it could not be fetched (error). */
export type ShellPackage =
  | { t: 'package'; root: string; service: Code; styles: Record<string, Sheet> | string; error?: undefined }
  | { t: 'package'; root: string; error: string };
/** Starts a spare frame's worker on the logic runtime, before any app is known. */
export interface ShellWarm {
  t: 'warm';
  runtime: string;
}
/** The claimed app's code for a warm frame's worker, ahead of 'load'. */
export interface ShellCode {
  t: 'code';
  scripts: Code[];
}
export interface ShellShow {
  t: 'show';
  scene?: number;
  path?: string;
  query?: Record<string, string>;
  referrerInfo?: Record<string, unknown>;
}
/** An event for the logic layer's API code (the frame forwards it as MsgApiEvent). */
export interface ShellEvent {
  t: 'event';
  name: string;
  data: unknown;
}
export type ShellToFrame = ShellLoad | ShellPackage | ShellShow | { t: 'hide' } | MsgResult | ShellEvent | ShellWarm | ShellCode;

export type FrameToShell =
  /** warm: the frame takes {t:"warm"}, {t:"code"} and Blob services. */
  | { t: 'ready'; warm?: boolean }
  | { t: 'need'; root: string }
  | MsgCall
  | { t: 'state'; title: string; navigationBarColor: { frontColor: string; backgroundColor: string } }
  | { t: 'launched'; path: string }
  | { t: 'error'; message: string };

