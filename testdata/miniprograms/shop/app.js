// app.js
import { CART_KEY, refreshBadge } from './utils/cart'

App({
  globalData: {
    // [{ id, count, checked }]
    cart: []
  },

  onLaunch() {
    const saved = wx.getStorageSync(CART_KEY)
    this.globalData.cart = Array.isArray(saved) ? saved : []
  },

  onShow() {
    // The tab bar exists once the first tab page is shown.
    setTimeout(refreshBadge, 0)
  }
})
