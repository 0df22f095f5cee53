// Opened from a service notification: the page and its query are the
// ones the developer's server sent; the scene is 1014.
Page({
  data: { id: '', scene: 0, launchScene: 0 },

  onLoad(query) {
    this.setData({ id: query.id || '', scene: wx.getEnterOptionsSync().scene, launchScene: wx.getLaunchOptionsSync().scene });
  },
});
