import { ORDERS_KEY, pieces } from '../../utils/cart'

Page({
  data: {
    orderCount: 0,
    cartCount: 0
  },

  onShow() {
    const orders = wx.getStorageSync(ORDERS_KEY) || []
    this.setData({ orderCount: orders.length, cartCount: pieces() })
  }
})
