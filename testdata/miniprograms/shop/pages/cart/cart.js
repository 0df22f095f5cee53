import { cartLines, checkedTotal, setCount, toggleChecked, refreshBadge } from '../../utils/cart'

Page({
  data: {
    lines: [],
    total: 0
  },

  onShow() {
    this.refresh()
    refreshBadge()
  },

  refresh() {
    this.setData({ lines: cartLines(), total: checkedTotal() })
  },

  toggle(e) {
    toggleChecked(e.currentTarget.dataset.id)
    this.refresh()
  },

  async changeCount(e) {
    const { id, count } = e.currentTarget.dataset
    if (count === 0) {
      const { confirm } = await wx.showModal({ title: '提示', content: '确定从购物车移除该商品吗？' })
      if (!confirm) return
    }
    setCount(id, count)
    this.refresh()
  },

  checkout() {
    // The order pages live in a subpackage: the first navigation loads it.
    wx.navigateTo({ url: '/packageOrder/pages/confirm/confirm' })
  }
})
