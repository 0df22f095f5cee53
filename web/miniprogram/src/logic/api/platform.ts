// The platform around the mini program: other mini programs, exit, share
// menu, subscribe messages, payment, and wx.cloud (absent).
//
// Shell calls:
//   navigateToMiniProgram [{appId, path, extraData, envVersion}] → {}
//   requestSubscribeMessage [{tmplIds}] → {answers: {[id]: "accept" | "reject"}} | {errCode, message}
//   exit                  [{reason: "exit" | "back", extraData?}] → {} ("back" is
//                         navigateBackMiniProgram: the shell returns to the opener and passes
//                         extraData to it as referrerInfo.extraData)

import { ApiError, asyncApi, callShell, defineApi, defineAsync, wx } from '../api';
import { inUserTap } from '../events';
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

// Subscribe messages: the shell shows the consent sheet (titles from the
// server) and answers {[tmplId]: "accept" | "reject"}, or {errCode, message}
// for WeChat's failures (20001 unknown templates). Like WeChat, only a call
// made synchronously inside a tap handler may ask: whether one is running is
// read at the call, before the async wrapper defers the work.
const requestSubscribe = asyncApi('requestSubscribeMessage', async (o) => {
  const fromTap = o.__fromTap === true;
  const ids = o.tmplIds;
  if (!Array.isArray(ids) || ids.length === 0) throw new ApiError("TmplIds can't be empty", { errCode: 10001 });
  if (ids.some((id) => typeof id !== 'string' || !id)) throw new ApiError('Invalid template id', { errCode: 10004 });
  if (ids.length > 3) throw new ApiError('Templates count out of max bounds', { errCode: 20003 });
  if (!fromTap) throw new ApiError('can only be invoked by user TAP gesture.');
  const r = (await callShell('requestSubscribeMessage', { tmplIds: ids })) as { answers?: Record<string, string>; errCode?: number; message?: string };
  if (!r.answers) throw new ApiError(r.message || 'Request subscribe fail', { errCode: r.errCode ?? 10003 });
  return { ...r.answers };
});
defineApi('requestSubscribeMessage', (o?: Record<string, unknown>) => requestSubscribe({ ...(o || {}), __fromTap: inUserTap() }));

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
