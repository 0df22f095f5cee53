import { attacks } from './attacks'

const PWN = vector => `top.postMessage('pwned:${vector}','*')`

Page({
  data: {
    attacks: attacks.map(({ key, label }) => ({ key, label })),
    results: {},
    done: false,
    succeededCount: 0,
    evilHtml: `<img src="x" onerror="${PWN('richtext-bound')}"><svg onload="${PWN('richtext-svg')}"></svg><iframe src="javascript:${PWN('richtext-iframe')}"></iframe><style>*{background:url(javascript:${PWN('richtext-style')})}</style>`,
    evilNodes: [
      { name: 'img', attrs: { src: 'x', onerror: PWN('nodes-onerror') } },
      { name: 'script', children: [{ type: 'text', text: PWN('nodes-script') }] },
      { name: 'a', attrs: { href: `javascript:${PWN('nodes-href')}` }, children: [{ type: 'text', text: 'link' }] },
      { name: 'div', attrs: { style: `background:url(javascript:${PWN('nodes-style')})`, onclick: PWN('nodes-onclick') } }
    ],
    evilStyle: `color:red;background-image:url("javascript:${PWN('style-bound')}");}</style><script>${PWN('style-breakout')}</script>`,
    evilText: `<img src=x onerror="${PWN('text')}">`,
    evilClass: `a" onmouseover="${PWN('class')}`,
    evilSrc: `javascript:${PWN('image-bound')}`
  },

  async onLoad() {
    const results = {}
    // Run every attempt even when one throws unexpectedly.
    await Promise.all(attacks.map(async attack => {
      let outcome
      try {
        outcome = await attack.run()
      } catch (err) {
        outcome = `blocked: unexpected ${(err && err.message) || err}`
      }
      results[attack.key] = outcome
      this.setData({ [`results.${attack.key}`]: outcome })
    }))
    const succeededCount = Object.values(results).filter(r => r.startsWith('SUCCEEDED')).length
    this.setData({ done: true, succeededCount })
  },

  openWebView() {
    wx.navigateTo({ url: '/pages/webview/webview' })
  }
})
