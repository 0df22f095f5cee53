// The platform around the mini program: other mini programs, exit, share
// menu, subscribe messages, payment, and wx.cloud (absent).
//
// Shell calls:
//   navigateToMiniProgram [{appId, path, extraData, envVersion}] → {}
//   exit                  [{reason: "exit" | "back", extraData?}] → {} ("back" is
//                         navigateBackMiniProgram: the shell returns to the opener and passes
//                         extraData to it as referrerInfo.extraData)

import { ApiError, callShell, defineAsync, wx } from '../api';
import { need } from './common';

defineAsync('navigateToMiniProgram', async (o) => {
  need(o, 'appId', 'String');
  const env = String(o.envVersion ?? 'release');
  if (!['develop', 'trial', 'release'].includes(env)) throw new ApiError(`invalid envVersion "${env}"`);
  const extraData = o.extraData === undefined ? undefined : JSON.parse(JSON.stringify(o.extraData));
  await callShell('navigateToMiniProgram', { appId: o.appId, path: String(o.path ?? ''), extraData, envVersion: env });
});

defineAsync('navigateBackMiniProgram', async (o) => {
  const extraData = o.extraData === undefined ? undefined : JSON.parse(JSON.stringify(o.extraData));
  await callShell('exit', { reason: 'back', extraData });
});

defineAsync('exitMiniProgram', async () => {
  await callShell('exit', { reason: 'exit' });
});

// The share menu is the shell's capsule menu: it is always there.
for (const name of ['showShareMenu', 'hideShareMenu', 'updateShareMenu', 'showShareImageMenu']) defineAsync(name, () => {});
defineAsync('getShareInfo', () => {
  throw new ApiError('not supported: share tickets need the platform\'s group chats');
});

defineAsync('requestSubscribeMessage', () => {
  throw new ApiError('not supported yet: subscribe messages arrive with the mini program platform work');
});

defineAsync('requestPayment', () => {
  throw new ApiError('payment is not available on this platform');
});
defineAsync('requestOrderPayment', () => {
  throw new ApiError('payment is not available on this platform');
});

// WeChat without cloud development has no wx.cloud; say why once when code reaches for it.
let cloudWarned = false;
Object.defineProperty(wx, 'cloud', {
  configurable: true,
  enumerable: false,
  get() {
    if (!cloudWarned) {
      cloudWarned = true;
      console.warn('wx.cloud is not available: superapp has no cloud development; call your own server with wx.request');
    }
    return undefined;
  },
});
