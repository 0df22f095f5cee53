import { log, subscribe, unsubscribe, reset } from '../../utils/log'

let nextItemId = 3

Page({
  data: {
    cardTitle: '卡片',
    badge: 1,
    items: [
      { id: 1, name: '苹果', price: 350 },
      { id: 2, name: '香蕉', price: 1299 }
    ],
    info: { count: 0, tags: ['新'] },
    extra: 0,
    publishedAt: 1700049600000,
    lastEvent: '',
    childLabels: '',
    logs: [],
    logText: ''
  },

  onLoad() {
    log('page.onLoad')
    subscribe(logs => {
      this.setData({ logs, logText: logs.map(e => e.text).join(',') })
    })
  },

  onShow() {
    log('page.onShow')
  },

  onReady() {
    log('page.onReady')
  },

  onHide() {
    log('page.onHide')
  },

  onUnload() {
    unsubscribe()
    reset()
  },

  rename() {
    this.setData({ cardTitle: `卡片${Date.now() % 1000}` })
  },

  bumpBadge() {
    this.setData({ badge: this.data.badge + 1 })
  },

  addItem() {
    const id = nextItemId++
    this.setData({ items: [...this.data.items, { id, name: `商品${id}`, price: id * 100 }] })
  },

  removeItem() {
    this.setData({ items: this.data.items.slice(0, -1) })
  },

  bumpPrice() {
    if (this.data.items.length) {
      this.setData({ 'items[0].price': this.data.items[0].price + 100 })
    }
  },

  readChildren() {
    const list = this.selectComponent('#list')
    this.setData({ childLabels: list ? list.getLabels().join(',') : 'null' })
  },

  setCount() {
    this.setData({ 'info.count': this.data.info.count + 1 })
  },

  setTag() {
    this.setData({ 'info.tags[0]': `标签${this.data.info.count}` })
  },

  bumpExtra() {
    this.setData({ extra: this.data.extra + 10 })
  },

  openOther() {
    wx.navigateTo({ url: '/pages/other/other?from=index' })
  },

  onCardAction(e) {
    this.setData({ lastEvent: `action:${e.detail.title}` })
  },

  onChipTap(e) {
    this.setData({ lastEvent: `chiptap:${e.detail.text}` })
  },

  // Must never run: chiplocal is not composed, so it stays inside the card.
  onChipLocal() {
    this.setData({ lastEvent: 'chiplocal' })
  },

  onItemTap(e) {
    this.setData({ lastEvent: `itemtap:${e.detail.id}:${e.detail.label}` })
  }
})
