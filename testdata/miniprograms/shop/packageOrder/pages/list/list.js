import { ORDERS_KEY } from '../../../utils/cart'

Page({
  data: {
    orders: []
  },

  onShow() {
    this.load()
  },

  load() {
    this.setData({ orders: wx.getStorageSync(ORDERS_KEY) || [] })
  },

  onPullDownRefresh() {
    this.load()
    wx.stopPullDownRefresh()
  }
})
