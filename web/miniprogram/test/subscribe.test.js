// wx.requestSubscribeMessage in the logic layer: argument checks with
// WeChat's errCodes, the tap rule (only a call made synchronously inside a
// tap handler may ask), the shell's answer passed through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h, start } from './harness.js';

async function boot(answer) {
  const results = [];
  const record = (p) => p.then((r) => results.push(r), (e) => results.push(e));
  const { view, wx } = await start({
    app: { pages: ['p'] },
    answer,
    modules: {
      'p.js': (r, m, e, g) =>
        g.Page({
          data: {},
          ask() {
            record(g.wx.requestSubscribeMessage({ tmplIds: ['T1', 'T2'] }));
          },
          later() {
            setTimeout(() => record(g.wx.requestSubscribeMessage({ tmplIds: ['T1'] })), 0);
          },
          tooMany() {
            record(g.wx.requestSubscribeMessage({ tmplIds: ['a', 'b', 'c', 'd'] }));
          },
          empty() {
            g.wx.requestSubscribeMessage({ tmplIds: [], fail: (e) => results.push(e) });
          },
        }),
    },
    templates: {
      'p.wxml': () => [
        h('view', { id: 'ask', bindtap: 'ask' }, 'ask'),
        h('view', { id: 'later', bindtap: 'later' }, 'later'),
        h('view', { id: 'many', bindtap: 'tooMany' }, 'many'),
        h('view', { id: 'empty', bindtap: 'empty' }, 'empty'),
      ],
    },
  });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await view.pump();
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { view, wx, results, settle };
}

test('a tap asks the shell and passes its answers on', async () => {
  const { view, results, settle } = await boot((name, args) =>
    name === 'requestSubscribeMessage' ? { answers: Object.fromEntries(args[0].tmplIds.map((id, i) => [id, i ? 'reject' : 'accept'])) } : undefined,
  );
  await view.tap('ask');
  await settle();
  assert.deepEqual(JSON.parse(JSON.stringify(view.calls.filter((c) => c.name === 'requestSubscribeMessage').map((c) => c.args))), [[{ tmplIds: ['T1', 'T2'] }]]);
  assert.deepEqual(JSON.parse(JSON.stringify(results)), [{ errMsg: 'requestSubscribeMessage:ok', T1: 'accept', T2: 'reject' }]);
});

test('outside a tap, or after it returned, the call fails without asking', async () => {
  const { view, wx, results, settle } = await boot(() => ({ answers: { T1: 'accept' } }));
  await assert.rejects(wx.requestSubscribeMessage({ tmplIds: ['T1'] }), { errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.' });
  await view.tap('later');
  await settle();
  assert.equal(results[0].errMsg, 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.');
  assert.equal(view.calls.filter((c) => c.name === 'requestSubscribeMessage').length, 0);
});

test('WeChat errCodes: more than 3 ids, no ids, the shell\'s failures', async () => {
  const { view, results, settle } = await boot(() => ({ errCode: 20001, message: 'No template data return, verify the template id exist' }));
  await view.tap('many');
  await view.tap('empty');
  await view.tap('ask');
  await settle();
  assert.deepEqual(JSON.parse(JSON.stringify(results)), [
    { errMsg: 'requestSubscribeMessage:fail Templates count out of max bounds', errCode: 20003 },
    { errMsg: "requestSubscribeMessage:fail TmplIds can't be empty", errCode: 10001 },
    { errMsg: 'requestSubscribeMessage:fail No template data return, verify the template id exist', errCode: 20001 },
  ]);
});
