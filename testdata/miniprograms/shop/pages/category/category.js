import { categories, byCategory } from '../../data/products'

Page({
  data: {
    categories,
    current: categories[0].id,
    list: byCategory(categories[0].id),
    scrollTop: 0
  },

  select(e) {
    const { id } = e.currentTarget.dataset
    this.setData({ current: id, list: byCategory(id), scrollTop: 0 })
  }
})
