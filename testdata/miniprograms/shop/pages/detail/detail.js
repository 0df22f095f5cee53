import { findProduct, products } from '../../data/products'
import { addToCart, pieces } from '../../utils/cart'

Page({
  data: {
    product: null,
    related: [],
    navError: '',
    cartCount: 0
  },

  onLoad(query) {
    const product = findProduct(query.id)
    this.setData({
      product: product || null,
      related: product ? products.filter(p => p.category === product.category && p.id !== product.id) : []
    })
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

  // Related products open on top of this one; WeChat keeps at most 10 pages.
  openRelated(e) {
    wx.navigateTo({
      url: `/pages/detail/detail?id=${e.currentTarget.dataset.id}`,
      fail: (err) => {
        this.setData({ navError: err.errMsg })
        wx.showToast({ title: '打开的页面太多了', icon: 'none' })
      }
    })
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
