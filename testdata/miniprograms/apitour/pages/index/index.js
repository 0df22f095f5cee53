import { apis } from './apis'

const byKey = Object.fromEntries(apis.map(api => [api.key, api]))

function show(value) {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

Page({
  data: {
    apis: apis.map(({ key, label }) => ({ key, label })),
    results: {},
    shows: 0,
    hides: 0,
    animation: null
  },

  onLoad() {
    this.refreshCounters = () => {
      const { shows, hides } = getApp().globalData
      this.setData({ shows, hides })
    }
    wx.onAppShow(this.refreshCounters)
    wx.onAppHide(this.refreshCounters)
    this.refreshCounters()
  },

  onUnload() {
    wx.offAppShow(this.refreshCounters)
    wx.offAppHide(this.refreshCounters)
  },

  async run(e) {
    const { key } = e.currentTarget.dataset
    this.setData({ [`results.${key}`]: 'pending' })
    let text
    try {
      text = `ok: ${show(await byKey[key].run(this))}`
    } catch (err) {
      text = `fail: ${(err && (err.errMsg || err.message)) || String(err)}`
    }
    this.setData({ [`results.${key}`]: text })
  }
})
