import { fetchProducts } from '../../utils/api'

Page({
  data: { products: [], page: 1 },
  async onLoad() {
    await this.load()
  },
  async load() {
    const products = await fetchProducts(this.data.page)
    this.setData({ products: [...this.data.products, ...products] })
  },
  onMore() {
    this.setData({ page: this.data.page + 1 }, () => this.load())
  },
  onPullDownRefresh() {
    this.setData({ products: [], page: 1 }, () => this.load().finally(() => wx.stopPullDownRefresh()))
  },
})
