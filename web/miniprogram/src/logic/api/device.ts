// Device: location, scanning, clipboard, phone calls, vibration, battery.
//
// Shell calls:
//   getLocation      [{type, altitude, isHighAccuracy, highAccuracyExpireTime}]
//                    → {latitude, longitude, speed, accuracy, altitude, verticalAccuracy, horizontalAccuracy}
//                    in WGS-84 (the runtime converts to GCJ-02 for type "gcj02");
//                    fails "getLocation:fail auth deny" when the user refuses
//   scanCode         [{onlyFromCamera, scanType: [...]}] → {result, scanType, charSet, path?, rawData?}
//   setClipboardData [{data}] → {}
//   getClipboardData [{}] → {data}
//   makePhoneCall    [{phoneNumber}] → {}
// View calls (src/view/api/device.ts):
//   device.vibrate   [ms] → {} (navigator.vibrate where the browser allows it)
//   device.battery   [] → {level (0-100), isCharging}; fails when the browser has no Battery API

import { ApiError, callShell, callView, defineApi, defineAsync } from '../api';
import { afterScopedCall, beforeScopedCall } from './auth';
import { need, plain } from './common';

// ---- GCJ-02 (the coordinate system Chinese maps use): the public offset formula ----

const GCJ_A = 6378245.0;
const GCJ_EE = 0.00669342162296594323;

function outOfChina(lat: number, lng: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function offsetLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function offsetLng(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** WGS-84 → GCJ-02 (unchanged outside China, as the standard defines). */
export function wgs84ToGcj02(lat: number, lng: number): [number, number] {
  if (outOfChina(lat, lng)) return [lat, lng];
  let dLat = offsetLat(lng - 105, lat - 35);
  let dLng = offsetLng(lng - 105, lat - 35);
  const radLat = (lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - GCJ_EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180) / ((GCJ_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lat + dLat, lng + dLng];
}

defineAsync('getLocation', async (o) => {
  const type = String(o.type ?? 'wgs84').toLowerCase();
  if (type !== 'wgs84' && type !== 'gcj02') throw new ApiError(`invalid type "${String(o.type)}": wgs84 or gcj02`);
  await beforeScopedCall('getLocation', 'scope.userLocation');
  let r: Record<string, number>;
  try {
    r = (await callShell('getLocation', { ...plain(o), type: 'wgs84' })) as Record<string, number>;
  } catch (e) {
    if (e instanceof Error && /auth deny/.test(e.message)) afterScopedCall('scope.userLocation', false);
    throw e;
  }
  afterScopedCall('scope.userLocation', true);
  let { latitude, longitude } = r;
  if (type === 'gcj02') [latitude, longitude] = wgs84ToGcj02(latitude, longitude);
  return {
    latitude, longitude, speed: r.speed ?? -1, accuracy: r.accuracy ?? 0, altitude: r.altitude ?? 0,
    verticalAccuracy: r.verticalAccuracy ?? 0, horizontalAccuracy: r.horizontalAccuracy ?? r.accuracy ?? 0,
  };
});

defineAsync('getFuzzyLocation', async (o) => {
  await beforeScopedCall('getFuzzyLocation', 'scope.userFuzzyLocation');
  const r = (await callShell('getLocation', { type: 'wgs84' })) as Record<string, number>;
  afterScopedCall('scope.userFuzzyLocation', true);
  // Fuzzy: about a kilometre, as WeChat's.
  let [lat, lng] = [Math.round(r.latitude * 100) / 100, Math.round(r.longitude * 100) / 100];
  if (String(o.type ?? 'wgs84') === 'gcj02') [lat, lng] = wgs84ToGcj02(lat, lng);
  return { latitude: lat, longitude: lng };
});

for (const name of ['chooseLocation', 'openLocation', 'choosePoi', 'chooseAddress']) {
  defineAsync(name, () => {
    throw new ApiError('not supported: there is no map or address picker on this platform');
  });
}

defineAsync('scanCode', async (o) => {
  const r = (await callShell('scanCode', { onlyFromCamera: !!o.onlyFromCamera, scanType: Array.isArray(o.scanType) ? o.scanType : ['barCode', 'qrCode'] })) as Record<string, unknown>;
  const res: Record<string, unknown> = { result: r.result ?? '', scanType: r.scanType ?? 'QR_CODE', charSet: r.charSet ?? 'UTF-8', rawData: r.rawData ?? '' };
  if (r.path) res.path = r.path;
  return res;
});

defineAsync('setClipboardData', async (o) => {
  need(o, 'data', 'String');
  await callShell('setClipboardData', { data: o.data });
  // WeChat confirms with a toast.
  callView('toast.show', { title: '内容已复制', icon: 'none', duration: 1500, mask: false }).catch(() => {});
});

defineAsync('getClipboardData', async () => {
  const r = (await callShell('getClipboardData', {})) as { data?: unknown };
  return { data: String(r?.data ?? '') };
});

defineAsync('makePhoneCall', async (o) => {
  need(o, 'phoneNumber', 'String');
  await callShell('makePhoneCall', { phoneNumber: o.phoneNumber });
});

defineAsync('vibrateShort', async (o) => {
  const type = String(o.type ?? 'medium');
  if (!['heavy', 'medium', 'light'].includes(type)) throw new ApiError(`invalid type "${type}": heavy, medium or light`);
  await callView('device.vibrate', 15);
});
defineAsync('vibrateLong', async () => void (await callView('device.vibrate', 400)));

defineAsync('getBatteryInfo', async () => {
  const r = (await callView('device.battery')) as { level: number; isCharging: boolean };
  return { level: r.level, isCharging: r.isCharging, isLowPowerModeEnabled: false };
});
defineApi('getBatteryInfoSync', () => {
  throw new Error('getBatteryInfoSync:fail not supported: the battery is only readable asynchronously here; use wx.getBatteryInfo');
});
