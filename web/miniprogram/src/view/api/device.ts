// Vibration and battery, where the browser offers them to the frame.

import type { ViewCall } from './host';

export const deviceCalls: Record<string, ViewCall> = {
  'device.vibrate': (args) => {
    // A device without a vibrator (or a frame the browser does not let vibrate) succeeds silently, as WeChat on such devices.
    try {
      navigator.vibrate?.(Number(args[0]) || 15);
    } catch {
      /* not allowed here */
    }
    return null;
  },
  'device.battery': async () => {
    const nav = navigator as Navigator & { getBattery?: () => Promise<{ level: number; charging: boolean }> };
    if (typeof nav.getBattery !== 'function') throw new Error('not supported: this browser does not tell the battery level');
    const b = await nav.getBattery();
    return { level: Math.round(b.level * 100), isCharging: b.charging };
  },
};
