// The wx APIs of src/logic/api: argument checks, success/fail/complete and
// Promise forms, and the messages they exchange with a fake view/shell.
// The logic layer runs in a vm context like test/harness.js, with every
// message listener kept (the API code listens for "apiEvent" next to the
// core) and calls answered by an async fake.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { h, settle } from './harness.js';

const logicJS = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../dist/logic.js'), 'utf8');

/**
 * Boots a one-page app. answer(name, args) answers calls: a value, a
 * Promise, or a thrown Error (→ {ok:false, error}). Returns {wx, calls, event(name, data), warnings}.
 */
async function boot(answer = () => null, { template, version } = {}) {
  const listeners = [];
  const calls = [];
  const warnings = [];
  const sandbox = {
    console: { ...console, warn: (...a) => warnings.push(a.join(' ')), error: () => {} },
    setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, URL, Blob, structuredClone, ArrayBuffer,
    addEventListener: (t, f) => t === 'message' && listeners.push(f),
  };
  const send = (m) => {
    const copy = structuredClone(m);
    for (const f of listeners) f({ data: copy });
  };
  sandbox.postMessage = (m) => {
    m = structuredClone(m);
    if (m.t === 'ops' && m.ack !== undefined) queueMicrotask(() => send({ t: 'acked', ack: m.ack }));
    if (m.t !== 'call') return;
    calls.push({ name: m.name, args: m.args });
    Promise.resolve()
      .then(() => answer(m.name, m.args))
      .then(
        (value) => send({ t: 'result', id: m.id, ok: true, value: value === undefined ? null : value }),
        (e) => send({ t: 'result', id: m.id, ok: false, error: e.message }),
      );
  };
  sandbox.self = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(logicJS, sandbox);
  const g = sandbox;
  g.define('app.js', () => g.App({}));
  g.define('pages/index/index.js', () => g.Page({ data: {} }));
  g.__R.render = () => JSON.parse(JSON.stringify(template ? template() : [h('view', { id: 'box', 'data-kind': 'card', class: 'item' }, 'x')]));
  const manifest = {
    appid: 'wxtest', hash: 'x', app: { pages: ['pages/index/index'] }, pages: { 'pages/index/index': { package: '' } }, components: {},
    packages: [{ root: '', files: {}, size: 0 }],
  };
  const env = { windowWidth: 375, windowHeight: 623, screenWidth: 375, screenHeight: 667, pixelRatio: 2, statusBarHeight: 0, language: 'en', platform: 'web', system: 'Web', brand: 'x', model: 'y', version: '8', SDKVersion: '3', theme: 'light' };
  send({ t: 'boot', manifest, env, storage: {}, launch: { path: 'pages/index/index', query: {}, scene: 1001 }, version });
  await settle();
  return { g, wx: g.wx, calls, warnings, event: async (name, data) => (send({ t: 'apiEvent', name, data }), settle()), named: (n) => calls.filter((c) => c.name === n) };
}

/** deepEqual for values made in the vm context (other prototypes): compared as clones. */
const eq = (actual, expected, msg) => assert.deepEqual(structuredClone(actual), expected, msg);

/** Calls api with success/fail/complete and resolves with what they got. */
function viaCallbacks(fn, opts = {}) {
  return new Promise((resolve) => {
    const got = {};
    fn({ ...opts, success: (r) => (got.success = r), fail: (r) => (got.fail = r), complete: (r) => resolve({ ...got, complete: r }) });
  });
}

test('getAccountInfoSync and getExtConfig(Sync) tell the version the shell launched; a copy each time', async () => {
  const released = await boot(undefined, { version: { envVersion: 'release', version: '1.2.0', extConfig: { shop: 7, tags: ['a'] } } });
  eq(released.wx.getAccountInfoSync(), { miniProgram: { appId: 'wxtest', envVersion: 'release', version: '1.2.0' }, plugin: {} });
  const ext = released.wx.getExtConfigSync();
  eq(ext, { shop: 7, tags: ['a'] });
  ext.tags.push('changed');
  eq(released.wx.getExtConfigSync(), { shop: 7, tags: ['a'] });
  eq(await released.wx.getExtConfig(), { errMsg: 'getExtConfig:ok', extConfig: { shop: 7, tags: ['a'] } });
  const trial = await boot(undefined, { version: { envVersion: 'trial', version: '', extConfig: {} } });
  eq(trial.wx.getAccountInfoSync().miniProgram, { appId: 'wxtest', envVersion: 'trial', version: '' });
  eq(trial.wx.getExtConfigSync(), {});
  // A shell that says nothing: a release without ext config.
  const bare = await boot();
  eq(bare.wx.getAccountInfoSync().miniProgram.envVersion, 'release');
  eq(bare.wx.getExtConfigSync(), {});
});

test('request: relays the options without callbacks and answers request:ok', async () => {
  const { wx, named } = await boot((name) =>
    name === 'request' ? { data: { ok: 1 }, statusCode: 201, header: { 'Content-Type': 'application/json' }, cookies: ['a=1'], errMsg: 'request:ok' } : null,
  );
  const order = [];
  let task;
  const got = await new Promise((resolve) => {
    task = wx.request({
      url: 'https://api.example.com/x', method: 'post', data: { q: 'a b' }, header: { 'X-A': '1' },
      success: (r) => order.push('success') && resolve(r),
    });
    task.onHeadersReceived((r) => order.push('headers:' + r.statusCode));
  });
  eq(order, ['headers:201', 'success']);
  eq(got, { errMsg: 'request:ok', data: { ok: 1 }, statusCode: 201, header: { 'Content-Type': 'application/json' }, cookies: ['a=1'] });
  const [call] = named('request');
  eq(call.args, [{ url: 'https://api.example.com/x', method: 'POST', data: { q: 'a b' }, header: { 'X-A': '1' }, dataType: 'json', responseType: 'text', task: taskOf(call) }]);
  assert.equal(typeof task.abort, 'function');
  // Done: an abort now asks nothing of the shell.
  task.abort();
  await new Promise((r) => setTimeout(r, 0));
  eq(named('network.abort'), []);
});

/** The task id a network call was started with (network.abort names it). */
function taskOf(call) {
  const id = call.args[0].task;
  assert.match(id, /^t\d+$/);
  return id;
}

test('RequestTask.abort of a call under way asks the shell to end it (network.abort with its task id); the call fails with abort', async () => {
  let release;
  const { wx, named } = await boot((name) => (name === 'request' ? new Promise((r) => (release = r)) : null));
  const failed = new Promise((resolve) => {
    const task = wx.request({ url: 'https://api.example.com/slow', fail: resolve });
    setTimeout(() => task.abort(), 0);
  });
  eq(await failed, { errMsg: 'request:fail abort' });
  await new Promise((r) => setTimeout(r, 0));
  const [call] = named('request');
  eq(named('network.abort').map((c) => c.args), [[{ task: taskOf(call) }]]);
  release({ data: '', statusCode: 200, header: {}, cookies: [] });
});

test('request: Promise form, parameter errors never reach the shell, shell failures keep their errMsg', async () => {
  const { wx, named } = await boot((name, args) => {
    if (args[0].url.includes('refused')) throw new Error('request:fail url not in domain list');
    return { data: 'plain', statusCode: 200, header: {}, cookies: [] };
  });
  const ok = await wx.request({ url: 'https://a.example/', responseType: 'arraybuffer', dataType: 'text' });
  assert.equal(ok.errMsg, 'request:ok');
  assert.equal(ok.data, 'plain');
  assert.equal(named('request')[0].args[0].responseType, 'arraybuffer');
  await assert.rejects(wx.request({}), { errMsg: 'request:fail parameter error: parameter.url should be String instead of Undefined;' });
  await assert.rejects(wx.request({ url: 'https://a.example/', method: 'FETCH' }), (e) => e.errMsg.startsWith('request:fail parameter error: parameter.method'));
  assert.equal(named('request').length, 1);
  const r = await viaCallbacks(wx.request, { url: 'https://refused.example/' });
  assert.equal(r.success, undefined);
  eq(r.fail, { errMsg: 'request:fail url not in domain list' });
  assert.equal(r.complete, r.fail, 'complete gets the same result as fail');
});

test('request: abort fails the task at once and ignores the late answer', async () => {
  let release;
  const { wx } = await boot(() => new Promise((resolve) => (release = resolve)));
  const results = [];
  const task = wx.request({ url: 'https://slow.example/', success: () => results.push('success'), fail: (e) => results.push(e.errMsg) });
  await settle();
  task.abort();
  await settle();
  release({ data: '', statusCode: 200, header: {} });
  await settle();
  eq(results, ['request:fail abort']);
});

test('request, uploadFile, downloadFile: at most 10 at once, the rest queued in order; an aborted queued task leaves the queue', async () => {
  const pending = [];
  const { wx, calls } = await boot((name, args) => new Promise((resolve) => pending.push(() => resolve(name === 'downloadFile' ? { tempFilePath: 'data:,x', statusCode: 200 } : { data: args[0].url, statusCode: 200, header: {} }))));
  const done = [];
  const tasks = [];
  for (let i = 0; i < 14; i++) {
    const url = `https://a.example/${i}`;
    const api = i === 12 ? wx.downloadFile : wx.request;
    tasks.push(api({ url, success: () => done.push(i), fail: (e) => done.push(`${i} ${e.errMsg}`) }));
  }
  await settle();
  assert.equal(calls.length, 10, 'ten reach the shell, four wait');
  tasks[11].abort(); // queued: fails at once, never sent
  await settle();
  assert.deepEqual(done, ['11 request:fail abort']);
  pending.shift()(); // the first ends: the next in line (10) goes
  await settle();
  assert.equal(calls.length, 11);
  assert.equal(calls[10].args[0].url, 'https://a.example/10');
  pending.shift()();
  await settle();
  assert.equal(calls[11].name, 'downloadFile', 'then 12 (11 left the queue)');
  pending.shift()();
  await settle();
  assert.equal(calls[12].args[0].url, 'https://a.example/13');
  while (pending.length) {
    pending.shift()();
    await settle();
  }
  assert.equal(calls.length, 13, 'every task but the aborted one was sent once');
  assert.deepEqual([...done].filter((d) => typeof d === 'number').sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13]);
});

test('chooseImage then uploadFile: temp paths, upload message shape, final progress', async () => {
  const { wx, named } = await boot((name) => {
    if (name === 'media.choose') return { files: [{ path: 'blob:null/1', size: 2048, type: 'image/png', fileType: 'image', width: 10, height: 20 }, { path: 'blob:null/2', size: 5, type: 'image/png', fileType: 'image' }] };
    if (name === 'uploadFile') return { data: '{"id":7}', statusCode: 200 };
    return null;
  });
  const chosen = await wx.chooseImage({ count: 1, sourceType: ['camera'] });
  eq(chosen, { errMsg: 'chooseImage:ok', tempFilePaths: ['blob:null/1'], tempFiles: [{ path: 'blob:null/1', size: 2048 }] });
  eq(named('media.choose')[0].args, [{ accept: 'image', count: 1, camera: true }]);
  const progress = [];
  const done = new Promise((resolve) => {
    const t = wx.uploadFile({ url: 'https://up.example/', filePath: 'blob:null/1', name: 'file', formData: { a: '1' }, success: resolve });
    t.onProgressUpdate((p) => progress.push(p));
  });
  eq(await done, { errMsg: 'uploadFile:ok', data: '{"id":7}', statusCode: 200 });
  eq(progress, [{ progress: 100, totalBytesSent: 2048, totalBytesExpectedToSend: 2048 }]);
  eq(named('uploadFile')[0].args, [{ url: 'https://up.example/', filePath: 'blob:null/1', name: 'file', formData: { a: '1' }, task: taskOf(named('uploadFile')[0]) }]);
  await assert.rejects(wx.uploadFile({ url: 'https://up.example/', filePath: 'blob:null/1' }), { errMsg: 'uploadFile:fail parameter error: parameter.name should be String instead of Undefined;' });
  const media = await wx.chooseMedia({ mediaType: ['image'] });
  assert.equal(media.type, 'image');
  eq(media.tempFiles[0], { tempFilePath: 'blob:null/1', size: 2048, fileType: 'image', width: 10, height: 20, duration: 0, thumbTempFilePath: 'blob:null/1' });
});

test('chooseImage: the user closing the picker is chooseImage:fail cancel', async () => {
  const { wx } = await boot(() => {
    throw new Error('cancel');
  });
  await assert.rejects(wx.chooseImage({}), { errMsg: 'chooseImage:fail cancel' });
});

test('downloadFile: the shell\'s temp file path and a final progress report', async () => {
  const { wx, named } = await boot(() => ({ tempFilePath: 'data:image/png;base64,AAAA', statusCode: 200, header: { 'Content-Type': 'image/png' } }));
  const progress = [];
  const t = wx.downloadFile({ url: 'https://cdn.example/a.png', header: { A: 'b' } });
  t.onProgressUpdate((p) => progress.push(p.progress));
  const r = await t;
  eq(r, { errMsg: 'downloadFile:ok', tempFilePath: 'data:image/png;base64,AAAA', statusCode: 200, header: { 'Content-Type': 'image/png' } });
  eq(progress, [100]);
  eq(named('downloadFile')[0].args, [{ url: 'https://cdn.example/a.png', header: { A: 'b' }, task: taskOf(named('downloadFile')[0]) }]);
});

test('connectSocket: open, send, message, close through socket.* calls and events', async () => {
  const { wx, named, event } = await boot();
  const log = [];
  const task = wx.connectSocket({ url: 'wss://ws.example/chat', protocols: ['v1'], header: { T: '1' }, success: (r) => log.push(r.errMsg) });
  task.onOpen((r) => log.push('open:' + JSON.stringify(r.header)));
  task.onMessage((r) => log.push('message:' + (typeof r.data === 'string' ? r.data : 'bytes' + r.data.byteLength)));
  task.onClose((r) => log.push(`close:${r.code}:${r.reason}`));
  wx.onSocketMessage((r) => log.push('legacy:' + r.data));
  await settle();
  eq(named('socket.open')[0].args, [{ id: 1, url: 'wss://ws.example/chat', header: { T: '1' }, protocols: ['v1'] }]);
  eq(log, ['connectSocket:ok']);

  const early = await new Promise((resolve) => task.send({ data: 'too soon', fail: resolve }));
  assert.equal(early.errMsg, 'SocketTask.send:fail SocketTask.readyState is not OPEN');

  await event('socket', { id: 1, type: 'open', header: { Server: 'x' }, protocol: 'v1' });
  await event('socket', { id: 1, type: 'message', data: 'hi' });
  await event('socket', { id: 2, type: 'message', data: 'not mine' });
  const bytes = new Uint8Array([1, 2, 3]).buffer;
  await event('socket', { id: 1, type: 'message', data: bytes });
  const sent = await new Promise((resolve) => task.send({ data: 'hello', success: resolve }));
  assert.equal(sent.errMsg, 'SocketTask.send:ok');
  await new Promise((resolve) => wx.sendSocketMessage({ data: bytes, success: resolve }));
  eq(named('socket.send').map((c) => c.args[0].data instanceof ArrayBuffer ? 'bytes' : c.args[0].data), ['hello', 'bytes']);
  assert.equal(named('socket.send')[0].args[0].id, 1);

  await new Promise((resolve) => task.close({ code: 4000, reason: 'bye', success: resolve }));
  eq(named('socket.close')[0].args, [{ id: 1, code: 4000, reason: 'bye' }]);
  const bad = await new Promise((resolve) => task.close({ code: 1006, fail: resolve }));
  assert.match(bad.errMsg, /^SocketTask\.close:fail invalid code 1006/);
  await event('socket', { id: 1, type: 'close', code: 4000, reason: 'bye' });
  eq(log, ['connectSocket:ok', 'open:{"Server":"x"}', 'message:hi', 'legacy:hi', 'message:bytes3', 'legacy:' + '[object ArrayBuffer]', 'close:4000:bye']);
});

test('connectSocket: url check, at most 5 at a time, a refused open reports onError', async () => {
  const { wx, event } = await boot((name, args) => {
    if (name === 'socket.open' && args[0].url.includes('refused')) throw new Error('connectSocket:fail url not in domain list');
    return {};
  });
  await assert.rejects(wx.connectSocket({ url: 'https://not-ws.example/' }), (e) => /^connectSocket:fail invalid url/.test(e.errMsg));
  const errors = [];
  const refused = wx.connectSocket({ url: 'wss://refused.example/', fail: (e) => errors.push('fail:' + e.errMsg) });
  refused.onError((e) => errors.push('onError:' + e.errMsg));
  await settle();
  eq(errors, ['onError:connectSocket:fail url not in domain list', 'fail:connectSocket:fail url not in domain list']);
  const tasks = [];
  for (let i = 0; i < 5; i++) tasks.push(wx.connectSocket({ url: 'wss://ok.example/' + i, success() {} }));
  await settle();
  await assert.rejects(wx.connectSocket({ url: 'wss://ok.example/6' }), (e) => /exceed max task count/.test(e.errMsg));
  // A closed socket frees its place.
  await event('socket', { id: tasks[0].id, type: 'close', code: 1000, reason: '' });
  const r = await wx.connectSocket({ url: 'wss://ok.example/7' });
  assert.equal(r.errMsg, 'connectSocket:ok');
});

test('login, checkSession, getUserProfile, getUserInfo', async () => {
  const { wx, named } = await boot((name, args) => {
    if (name === 'login') return { code: 'c0de' };
    if (name === 'checkSession') throw new Error('checkSession:fail session time out');
    if (name === 'getUserProfile') {
      if (args[0].desc === 'refuse') throw new Error('getUserProfile:fail auth deny');
      return { userInfo: { nickName: 'Ann', avatarUrl: 'https://a/x.png', gender: 0 }, rawData: '{"nickName":"Ann"}', signature: 's', encryptedData: 'e', iv: 'i' };
    }
    return null;
  });
  eq(await wx.login(), { errMsg: 'login:ok', code: 'c0de' });
  await assert.rejects(wx.checkSession(), { errMsg: 'checkSession:fail session time out' });
  await assert.rejects(wx.getUserProfile({}), (e) => e.errMsg.startsWith('getUserProfile:fail parameter error: parameter.desc'));
  assert.equal(named('getUserProfile').length, 0);
  const p = await wx.getUserProfile({ desc: '用于完善资料' });
  assert.equal(p.userInfo.nickName, 'Ann');
  assert.equal(p.signature, 's');
  eq(named('getUserProfile')[0].args, [{ desc: '用于完善资料', lang: 'en' }]);
  await assert.rejects(wx.getUserProfile({ desc: 'refuse' }), { errMsg: 'getUserProfile:fail auth deny' });
  const info = await wx.getUserInfo();
  assert.equal(info.userInfo.nickName, '微信用户');
  assert.equal(info.rawData, JSON.stringify(info.userInfo));
});

test('scopes without the shell\'s auth.* calls: asked once with a modal, kept for the run', async () => {
  let confirm = true;
  const { wx, named } = await boot((name) => {
    if (name.startsWith('auth.')) throw new Error(`${name}:fail no such API in this shell`);
    if (name === 'modal.show') return { confirm };
    return null;
  });
  eq((await wx.getSetting()).authSetting, {});
  await wx.authorize({ scope: 'scope.userLocation' });
  assert.equal(named('modal.show').length, 1);
  assert.equal(named('modal.show')[0].args[0].content, '获取你的位置信息');
  await wx.authorize({ scope: 'scope.userLocation' });
  assert.equal(named('modal.show').length, 1, 'a granted scope is not asked again');
  confirm = false;
  await assert.rejects(wx.authorize({ scope: 'scope.camera' }), { errMsg: 'authorize:fail auth deny' });
  await assert.rejects(wx.authorize({ scope: 'scope.camera' }), { errMsg: 'authorize:fail auth deny' });
  assert.equal(named('modal.show').length, 2, 'a refusal stands without asking');
  await assert.rejects(wx.authorize({ scope: 'scope.nope' }), (e) => /invalid scope/.test(e.errMsg));
  eq((await wx.getSetting()).authSetting, { 'scope.userLocation': true, 'scope.camera': false });
  eq((await wx.openSetting()).authSetting, { 'scope.userLocation': true });
});

test('scopes with the shell: getSetting, authorize and getLocation go through it', async () => {
  const { wx, named } = await boot((name, args) => {
    if (name === 'auth.getSetting') return { authSetting: { 'scope.userInfo': true } };
    if (name === 'auth.authorize') return {};
    if (name === 'getLocation') return { latitude: 39.9042, longitude: 116.4074, speed: 0, accuracy: 30, altitude: 0, verticalAccuracy: 0, horizontalAccuracy: 30 };
    return null;
  });
  eq((await wx.getSetting()).authSetting, { 'scope.userInfo': true });
  const wgs = await wx.getLocation({});
  assert.equal(named('auth.authorize')[0].args[0].scope, 'scope.userLocation');
  eq([wgs.latitude, wgs.longitude], [39.9042, 116.4074]);
  assert.equal(named('getLocation')[0].args[0].type, 'wgs84');
  const gcj = await wx.getLocation({ type: 'gcj02' });
  // GCJ-02 shifts Beijing by a few hundred metres (north and east).
  assert.ok(gcj.latitude - 39.9042 > 0.0005 && gcj.latitude - 39.9042 < 0.003, String(gcj.latitude));
  assert.ok(gcj.longitude - 116.4074 > 0.003 && gcj.longitude - 116.4074 < 0.009, String(gcj.longitude));
  assert.equal(named('auth.authorize').length, 1);
  await assert.rejects(wx.getLocation({ type: 'bd09' }), (e) => /invalid type/.test(e.errMsg));
  await assert.rejects(wx.chooseLocation({}), (e) => e.errMsg.startsWith('chooseLocation:fail not supported'));
});

test('clipboard, phone, scanCode, mini program navigation and exit', async () => {
  const { wx, named } = await boot((name) => {
    if (name === 'getClipboardData') return { data: 'copied' };
    if (name === 'scanCode') return { result: 'https://x', scanType: 'QR_CODE', charSet: 'UTF-8' };
    return {};
  });
  await wx.setClipboardData({ data: 'abc' });
  eq(named('setClipboardData')[0].args, [{ data: 'abc' }]);
  await settle();
  assert.equal(named('toast.show')[0].args[0].title, '内容已复制');
  await assert.rejects(wx.setClipboardData({ data: 1 }), { errMsg: 'setClipboardData:fail parameter error: parameter.data should be String instead of Number;' });
  assert.equal((await wx.getClipboardData()).data, 'copied');
  await wx.makePhoneCall({ phoneNumber: '+86 10 1234' });
  eq(named('makePhoneCall')[0].args, [{ phoneNumber: '+86 10 1234' }]);
  eq(await wx.scanCode({ scanType: ['qrCode'] }), { errMsg: 'scanCode:ok', result: 'https://x', scanType: 'QR_CODE', charSet: 'UTF-8', rawData: '' });
  await wx.navigateToMiniProgram({ appId: 'wx0123456789abcdef', path: 'pages/a?x=1', extraData: { from: 'me' } });
  eq(named('navigateToMiniProgram')[0].args, [{ appId: 'wx0123456789abcdef', path: 'pages/a?x=1', extraData: { from: 'me' }, envVersion: 'release' }]);
  await wx.navigateBackMiniProgram({ extraData: { ok: true } });
  await wx.exitMiniProgram();
  eq(named('exit').map((c) => c.args[0]), [{ reason: 'back', extraData: { ok: true } }, { reason: 'exit' }]);
});

test('what the platform does not offer fails with a clear errMsg; wx.cloud warns once', async () => {
  const { wx, warnings } = await boot();
  await assert.rejects(wx.requestPayment({ timeStamp: '1' }), { errMsg: 'requestPayment:fail payment is not available on this platform' });
  await assert.rejects(wx.requestSubscribeMessage({ tmplIds: ['a'] }), {
    errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.',
  });
  assert.equal((await wx.showShareMenu({})).errMsg, 'showShareMenu:ok');
  assert.equal(wx.cloud, undefined);
  assert.equal(wx.cloud, undefined);
  eq(warnings, ['wx.cloud is not available: superapp has no cloud development; call your own server with wx.request']);
  assert.throws(() => wx.getBatteryInfoSync(), /not supported/);
});

test('getNetworkType answers without a network API; vibrate goes to the view', async () => {
  const { wx, named } = await boot();
  const r = await wx.getNetworkType();
  assert.equal(r.errMsg, 'getNetworkType:ok');
  assert.ok(['wifi', 'none', 'unknown', '2g', '3g', '4g', '5g'].includes(r.networkType));
  await wx.vibrateShort({ type: 'light' });
  await assert.rejects(wx.vibrateShort({ type: 'hard' }), (e) => /invalid type/.test(e.errMsg));
  eq(named('device.vibrate').map((c) => c.args[0]), [15]);
});

test('createAnimation: steps and export in WeChat\'s shape; export starts over', async () => {
  const { wx } = await boot();
  const a = wx.createAnimation({ duration: 300, timingFunction: 'ease' });
  a.translateX(20).rotate(45).opacity(0.5).step();
  a.width(100).step({ duration: 50, delay: 10 });
  const data = JSON.parse(JSON.stringify(a.export()));
  eq(data, {
    actions: [
      { animates: [{ type: 'translateX', args: [20] }, { type: 'rotate', args: [45] }, { type: 'style', args: ['opacity', 0.5] }], option: { transformOrigin: '50% 50% 0', transition: { duration: 300, timingFunction: 'ease', delay: 0 } } },
      { animates: [{ type: 'style', args: ['width', '100px'] }], option: { transformOrigin: '50% 50% 0', transition: { duration: 50, timingFunction: 'ease', delay: 10 } } },
    ],
  });
  eq(JSON.parse(JSON.stringify(a.export())), { actions: [] });
  a.scale(2);
  eq(JSON.parse(JSON.stringify(a.export().actions[0].animates)), [{ type: 'scale', args: [2, 2] }]);
});

test('createIntersectionObserver: observe call, callback with the node\'s id and dataset, disconnect', async () => {
  const { wx, named, event } = await boot(() => ({ count: 1 }));
  const seen = [];
  const ob = wx.createIntersectionObserver({ thresholds: [0, 0.5], observeAll: true });
  ob.relativeToViewport({ bottom: 100 }).observe('.item', (r) => seen.push(r));
  await settle();
  const [call] = named('intersection.observe');
  const req = call.args[0];
  eq({ ...req, id: 0, page: 0 }, {
    id: 0, page: 0, selector: '.item', observeAll: true, thresholds: [0, 0.5], initialRatio: 0,
    relativeTo: { viewport: true, margins: { left: 0, right: 0, top: 0, bottom: 100 } },
  });
  const nodeId = 1; // the template's only element
  const rect = { left: 0, top: 10, right: 100, bottom: 60, width: 100, height: 50 };
  await event('intersection', { id: req.id, node: nodeId, intersectionRatio: 0.6, intersectionRect: rect, boundingClientRect: rect, relativeRect: rect, time: 5 });
  assert.equal(seen.length, 1);
  eq(JSON.parse(JSON.stringify(seen[0])), { id: 'box', dataset: { kind: 'card' }, intersectionRatio: 0.6, intersectionRect: rect, boundingClientRect: rect, relativeRect: rect, time: 5 });
  ob.disconnect();
  await settle();
  eq(named('intersection.disconnect').map((c) => c.args[0]), [req.id]);
  await event('intersection', { id: req.id, node: nodeId, intersectionRatio: 0 });
  assert.equal(seen.length, 1, 'no callback after disconnect');
});

test('previewImage and getImageInfo: argument checks and view calls', async () => {
  const { wx, named } = await boot((name) => (name === 'media.imageInfo' ? { width: 4, height: 3, type: 'png' } : null));
  await assert.rejects(wx.previewImage({ urls: [] }), (e) => /should not be empty/.test(e.errMsg));
  await assert.rejects(wx.previewImage({}), { errMsg: 'previewImage:fail parameter error: parameter.urls should be Array instead of Undefined;' });
  await wx.previewImage({ urls: ['/a.png', 'b.png'], current: 'b.png' });
  eq(named('media.preview')[0].args, [{ urls: ['/a.png', 'b.png'], current: 1, base: 'pages/index/index' }]);
  const info = await wx.getImageInfo({ src: '/images/x.png' });
  eq(info, { errMsg: 'getImageInfo:ok', width: 4, height: 3, path: '/images/x.png', orientation: 'up', type: 'png' });
});
