type CartItem = { id: number; price: number; count: number }

Page({
  data: { items: [] as CartItem[] },
  onShow(): void {
    const items: CartItem[] = wx.getStorageSync('cart') || []
    this.setData({ items })
  },
})
