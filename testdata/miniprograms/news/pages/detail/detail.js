import { getArticle } from '../../data/articles'

Page({
  data: {
    article: null,
    // The node-array form of rich-text.
    note: [
      {
        name: 'div',
        attrs: { class: 'note-box', style: 'color: #888; font-size: 24px;' },
        children: [{ type: 'text', text: '本文由本地数据生成，仅供测试。' }]
      }
    ],
    shareInfo: ''
  },

  onLoad({ id }) {
    const article = getArticle(id || 'hot-1')
    this.setData({ article })
    wx.setNavigationBarTitle({ title: article.source })
    const { readIds } = getApp().globalData
    if (!readIds.includes(article.id)) readIds.push(article.id)
  },

  onShareAppMessage({ from }) {
    const share = {
      title: this.data.article.title,
      path: `/pages/detail/detail?id=${this.data.article.id}`,
      imageUrl: '/images/thumb.png'
    }
    this.setData({ shareInfo: `${from}:${share.path}` })
    return share
  }
})
