Page({
  onLoad() {
    wx.showModal({
      title: '提示',
      content: '转发给好友后即可解锁全部关卡'
    })
  },
  openChat() {}
})
