App({
  globalData: {
    shows: 0,
    hides: 0
  },

  onLaunch() {
    wx.onAppShow(() => {
      this.globalData.shows++
    })
    wx.onAppHide(() => {
      this.globalData.hides++
    })
  }
})
