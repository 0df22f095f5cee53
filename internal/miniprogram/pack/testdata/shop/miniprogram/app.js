import { formatPrice } from './utils/format'

App({
  globalData: { currency: 'CNY' },
  async onLaunch() {
    const cart = wx.getStorageSync('cart') || []
    this.globalData.cartCount = cart.length
    console.log('launched', formatPrice(100))
  },
})
