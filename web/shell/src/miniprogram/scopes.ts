// The user's answers to a mini program's authorization requests
// (wx.authorize, wx.getSetting, wx.openSetting), per user and app, in this
// browser's localStorage. A refusal stands until the user changes it in the
// settings sheet, as in WeChat.

/** Scopes a mini program may ask for, with what the consent sheet says. */
export const SCOPES: Record<string, string> = {
  'scope.userLocation': 'Get your location',
  'scope.userFuzzyLocation': 'Get your approximate location',
  'scope.userLocationBackground': 'Get your location in the background',
  'scope.address': 'Get your mailing address',
  'scope.invoiceTitle': 'Get your invoice title',
  'scope.invoice': 'Get invoices',
  'scope.werun': 'Get your WeRun step count',
  'scope.record': 'Use your microphone',
  'scope.writePhotosAlbum': 'Save pictures and videos to your album',
  'scope.camera': 'Use your camera',
  'scope.bluetooth': 'Use Bluetooth',
  'scope.addPhoneContact': 'Add to your contacts',
  'scope.addPhoneCalendar': 'Add to your calendar',
};

export type Grants = Record<string, boolean>;

const key = (user: string, appid: string) => `superapp.mp.scopes.${user}.${appid}`;

export function grants(user: string, appid: string): Grants {
  try {
    const v = JSON.parse(localStorage.getItem(key(user, appid)) ?? '{}');
    const out: Grants = {};
    if (v && typeof v === 'object') for (const [k, g] of Object.entries(v)) if (k in SCOPES && typeof g === 'boolean') out[k] = g;
    return out;
  } catch {
    return {};
  }
}

export function setGrants(user: string, appid: string, g: Grants): void {
  try {
    localStorage.setItem(key(user, appid), JSON.stringify(g));
  } catch {
    // Storage full or disabled: the answer holds for this call only.
  }
}

export function setGrant(user: string, appid: string, scope: string, allowed: boolean): void {
  setGrants(user, appid, { ...grants(user, appid), [scope]: allowed });
}
