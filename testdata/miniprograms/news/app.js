App({
  globalData: {
    readIds: []
  }
})
