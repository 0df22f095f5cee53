const app = getApp();

Page({
  data: { scene: 0, launchScene: 0, result: '', code: '' },

  onShow() {
    this.setData({ scene: wx.getEnterOptionsSync().scene, launchScene: wx.getLaunchOptionsSync().scene });
  },

  // The developer's server turns the code into the user's OpenID.
  login() {
    wx.login({ success: (res) => this.setData({ code: res.code }) });
  },

  // Called inside the tap, as WeChat requires.
  subscribe() {
    wx.requestSubscribeMessage({
      tmplIds: app.globalData.tmplIds,
      success: (res) => this.setData({ result: 'ok: ' + JSON.stringify(res) }),
      fail: (err) => this.setData({ result: 'fail: ' + err.errMsg }),
    });
  },

  // After an await the tap is over: WeChat refuses to show the sheet.
  async subscribeLater() {
    await new Promise((resolve) => setTimeout(resolve, 10));
    try {
      const res = await wx.requestSubscribeMessage({ tmplIds: app.globalData.tmplIds });
      this.setData({ result: 'ok: ' + JSON.stringify(res) });
    } catch (err) {
      this.setData({ result: 'fail: ' + err.errMsg });
    }
  },
});
