Page({
  buy() {
    wx.requestPayment({ timeStamp: '1', nonceStr: 'n', package: 'prepay_id=2', signType: 'RSA', paySign: 's' })
  }
})
