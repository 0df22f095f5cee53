import { products } from '../../data/products'

Page({
  data: {
    keyword: '',
    list: products
  },

  onSearch(e) {
    const keyword = e.detail.value.trim()
    this.setData({
      keyword,
      list: keyword ? products.filter(p => p.title.includes(keyword)) : products
    })
  },

  onShareAppMessage() {
    return { title: '小铺 · 好物推荐' }
  }
})
