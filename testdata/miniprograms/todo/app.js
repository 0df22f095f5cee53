// app.js
import { LAUNCH_COUNT_KEY } from './utils/store'

App({
  globalData: {
    launchCount: 0
  },

  onLaunch() {
    const count = (wx.getStorageSync(LAUNCH_COUNT_KEY) || 0) + 1
    wx.setStorageSync(LAUNCH_COUNT_KEY, count)
    this.globalData.launchCount = count
  }
})
