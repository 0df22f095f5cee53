import { categories, fetchPage } from '../../data/articles'
import { cities } from '../../data/cities'

const SHOW_TOP_AFTER = 600 // px scrolled before the back-to-top button shows

Page({
  data: {
    banners: [
      { id: 1, title: '春季新品发布', image: '/images/banner1.png' },
      { id: 2, title: '城市马拉松开跑', image: '/images/banner2.png' },
      { id: 3, title: '周末去哪儿玩', image: '/images/banner3.png' }
    ],
    bannerIndex: 0,
    categories,
    current: categories[0].id,
    intoView: '',
    list: [],
    page: 0,
    hasMore: true,
    loading: false,
    refreshCount: 0,
    cityCount: cities.length,
    showTop: false
  },

  onLoad() {
    this.reload()
  },

  async reload() {
    this.setData({ list: [], page: 0, hasMore: true })
    await this.loadMore()
  },

  async loadMore() {
    if (this.data.loading || !this.data.hasMore) return
    this.setData({ loading: true })
    const page = this.data.page + 1
    const { list, hasMore } = await fetchPage(this.data.current, page)
    this.setData({ list: this.data.list.concat(list), page, hasMore, loading: false })
  },

  async onPullDownRefresh() {
    await this.reload()
    this.setData({ refreshCount: this.data.refreshCount + 1 })
    wx.stopPullDownRefresh()
  },

  onReachBottom() {
    this.loadMore()
  },

  onPageScroll({ scrollTop }) {
    const showTop = scrollTop > SHOW_TOP_AFTER
    // Scroll events are frequent: only talk to the view when it changes.
    if (showTop !== this.data.showTop) {
      this.setData({ showTop })
    }
  },

  backToTop() {
    wx.pageScrollTo({ scrollTop: 0, duration: 300 })
  },

  onBannerChange(e) {
    this.setData({ bannerIndex: e.detail.current })
  },

  selectCategory(e) {
    const { id } = e.currentTarget.dataset
    if (id === this.data.current) return
    // Keep the previous category visible too, so the bar scrolls with the choice.
    const i = categories.findIndex(c => c.id === id)
    this.setData({ current: id, intoView: `cat-${categories[Math.max(0, i - 1)].id}` })
    wx.pageScrollTo({ scrollTop: 0, duration: 0 })
    this.reload()
  },

  onShareAppMessage() {
    return { title: '今日资讯', path: '/pages/index/index' }
  }
})
