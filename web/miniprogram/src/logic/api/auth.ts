// Sign-in and user authorization: login, checkSession, getUserProfile,
// getUserInfo, getSetting, authorize, openSetting.
//
// Shell calls:
//   login           [{timeout}] → {code}
//   checkSession    [{}] → {} (fails "checkSession:fail session time out")
//   getUserProfile  [{desc, lang}] → {userInfo: {nickName, avatarUrl, gender, country, province, city, language},
//                   rawData, signature, encryptedData, iv}; fails "getUserProfile:fail auth deny"
//   auth.getSetting [{}] → {authSetting: {"scope.userLocation": true, …}}
//   auth.authorize  [{scope}] → {} once the user agreed and the shell stored the grant (per user and app);
//                   fails "authorize:fail auth deny"
//   auth.openSetting [{}] → {authSetting} after the user edited the app's grants
// A shell that does not know the auth.* names yet answers with an error; the
// runtime then keeps the grants for this run only and asks with its own
// modal (the grants are the app's conventions: the browser still asks for
// the real permission, e.g. geolocation).

import { ApiError, callShell, callView, defineAsync } from '../api';
import { state } from '../runtime';
import { need, plain } from './common';

defineAsync('login', async (o) => {
  const r = (await callShell('login', plain(o))) as { code?: unknown };
  if (typeof r?.code !== 'string') throw new ApiError('no code from the platform');
  return { code: r.code };
});

defineAsync('checkSession', async () => {
  await callShell('checkSession', {});
});

defineAsync('getUserProfile', async (o) => {
  if (typeof o.desc !== 'string' || !o.desc) throw new ApiError('parameter error: parameter.desc should be String instead of ' + (o.desc === undefined ? 'Undefined' : typeof o.desc) + ';');
  if (o.desc.length > 30) throw new ApiError('desc length should not exceed 30');
  const r = (await callShell('getUserProfile', { desc: o.desc, lang: o.lang ?? 'en' })) as Record<string, unknown>;
  grants.set('scope.userInfo', true);
  return { userInfo: r.userInfo, rawData: r.rawData ?? JSON.stringify(r.userInfo ?? {}), signature: r.signature ?? '', encryptedData: r.encryptedData ?? '', iv: r.iv ?? '', cloudID: r.cloudID };
});

// Current WeChat answers getUserInfo with an anonymous profile (since 2021).
const ANONYMOUS = {
  nickName: '微信用户', gender: 0, language: '', city: '', province: '', country: '',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
};
defineAsync('getUserInfo', () => {
  const userInfo = { ...ANONYMOUS };
  // No signature or encrypted data: the session key stays on the server and this profile carries nothing to verify.
  return { userInfo, rawData: JSON.stringify(userInfo), signature: '', encryptedData: '', iv: '' };
});

// ---- scopes ----

const SCOPES: Record<string, string> = {
  'scope.userInfo': '获取你的昵称、头像',
  'scope.userLocation': '获取你的位置信息',
  'scope.userFuzzyLocation': '获取你的模糊位置信息',
  'scope.userLocationBackground': '在后台获取你的位置信息',
  'scope.address': '获取你的通讯地址',
  'scope.invoiceTitle': '获取你的发票抬头',
  'scope.invoice': '获取发票',
  'scope.werun': '获取你的微信运动步数',
  'scope.record': '使用你的麦克风',
  'scope.writePhotosAlbum': '保存图片或视频到你的相册',
  'scope.camera': '使用你的摄像头',
  'scope.bluetooth': '使用蓝牙',
  'scope.addPhoneContact': '添加到联系人',
  'scope.addPhoneCalendar': '添加到日历',
};

/** The grants known in this run (seeded from the shell on first use). */
const grants = new Map<string, boolean>();
let shellHasScopes: boolean | null = null;

async function loadGrants(): Promise<void> {
  if (shellHasScopes !== null) return;
  try {
    const r = (await callShell('auth.getSetting', {})) as { authSetting?: Record<string, unknown> };
    for (const [k, v] of Object.entries(r?.authSetting || {})) grants.set(k, !!v);
    shellHasScopes = true;
  } catch {
    shellHasScopes = false;
  }
}

function setting(): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [k, v] of grants) out[k] = v;
  return out;
}

/** Asks for scope (once: a refusal stands until openSetting); used by getLocation & co. */
export async function ensureScope(api: string, scope: string): Promise<void> {
  await loadGrants();
  const g = grants.get(scope);
  if (g === true) return;
  if (g === false) throw new ApiError(`${api}:fail auth deny`);
  if (shellHasScopes) {
    try {
      await callShell('auth.authorize', { scope });
    } catch {
      grants.set(scope, false);
      throw new ApiError(`${api}:fail auth deny`);
    }
  } else {
    const name = String(state.manifest?.app.window?.navigationBarTitleText || '小程序');
    const r = (await callView('modal.show', {
      title: `${name} 申请`, content: SCOPES[scope] || scope, showCancel: true, cancelText: '拒绝', cancelColor: '#000000',
      confirmText: '允许', confirmColor: '#576B95', editable: false, placeholderText: '',
    })) as { confirm?: boolean };
    if (!r || !r.confirm) {
      grants.set(scope, false);
      throw new ApiError(`${api}:fail auth deny`);
    }
  }
  grants.set(scope, true);
}

/**
 * Before an API whose real permission prompt is the shell's (getLocation):
 * a refusal stands; with a shell that keeps grants, ask through it first.
 */
export async function beforeScopedCall(api: string, scope: string): Promise<void> {
  await loadGrants();
  if (grants.get(scope) === false) throw new ApiError(`${api}:fail auth deny`);
  if (shellHasScopes && grants.get(scope) !== true) await ensureScope(api, scope);
}

/** After the call: success means the user allowed it, "auth deny" that they did not. */
export function afterScopedCall(scope: string, ok: boolean): void {
  grants.set(scope, ok);
}

defineAsync('getSetting', async (o) => {
  await loadGrants();
  const res: Record<string, unknown> = { authSetting: setting() };
  if (o.withSubscriptions) res.subscriptionsSetting = { mainSwitch: false, itemSettings: {} };
  return res;
});

defineAsync('authorize', async (o) => {
  need(o, 'scope', 'String');
  const scope = String(o.scope);
  if (!(scope in SCOPES)) throw new ApiError(`invalid scope "${scope}"`);
  if (scope === 'scope.userInfo') throw new ApiError('scope.userInfo is not authorized through authorize: use getUserProfile');
  await ensureScope('authorize', scope);
});

defineAsync('openSetting', async () => {
  await loadGrants();
  if (shellHasScopes) {
    const r = (await callShell('auth.openSetting', {})) as { authSetting?: Record<string, unknown> };
    grants.clear();
    for (const [k, v] of Object.entries(r?.authSetting || {})) grants.set(k, !!v);
  } else {
    // Without the shell's settings page, reopening the settings resets refusals so the app may ask again.
    for (const [k, v] of [...grants]) if (!v) grants.delete(k);
  }
  return { authSetting: setting() };
});
