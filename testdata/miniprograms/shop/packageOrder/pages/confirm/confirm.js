import { cartLines, checkedTotal, removeChecked, ORDERS_KEY } from '../../../utils/cart'

Page({
  data: {
    address: '',
    lines: [],
    total: 0,
    submitting: false
  },

  onLoad() {
    this.setData({ lines: cartLines().filter(l => l.checked), total: checkedTotal() })
  },

  async submit() {
    if (!this.data.address.trim()) {
      wx.showToast({ title: '请填写收货地址', icon: 'none' })
      return
    }
    this.setData({ submitting: true })
    const orders = wx.getStorageSync(ORDERS_KEY) || []
    const order = {
      no: `${Date.now()}`,
      lines: this.data.lines.map(({ id, count, product }) => ({ id, count, title: product.title, price: product.price })),
      total: this.data.total,
      address: this.data.address.trim()
    }
    wx.setStorageSync(ORDERS_KEY, [order, ...orders])
    removeChecked()
    await wx.showToast({ title: '下单成功', icon: 'success' })
    wx.redirectTo({ url: '/packageOrder/pages/list/list' })
  }
})
