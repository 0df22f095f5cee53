import { findProduct } from '../../data/products'
import { addToCart, pieces } from '../../utils/cart'

Page({
  data: {
    product: null,
    cartCount: 0
  },

  onLoad(query) {
    const product = findProduct(query.id)
    this.setData({ product: product || null })
    if (product) {
      wx.setNavigationBarTitle({ title: product.title })
    }
  },

  onShow() {
    this.setData({ cartCount: pieces() })
  },

  preview() {
    const url = this.data.product.image
    wx.previewImage({ current: url, urls: [url] })
  },

  addCart() {
    addToCart(this.data.product.id)
    this.setData({ cartCount: pieces() })
    wx.showToast({ title: '已加入购物车', icon: 'success' })
  },

  buyNow() {
    addToCart(this.data.product.id)
    wx.switchTab({ url: '/pages/cart/cart' })
  },

  goCart() {
    wx.switchTab({ url: '/pages/cart/cart' })
  },

  onShareAppMessage() {
    const { product } = this.data
    return {
      title: product ? product.title : '小铺',
      path: `/pages/detail/detail?id=${product ? product.id : ''}`
    }
  }
})
