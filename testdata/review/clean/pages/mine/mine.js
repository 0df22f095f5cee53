Page({
  pay() {
    wx.request({ url: 'https://api.example.com/order', method: 'POST', success: (res) => {
      wx.requestPayment({ ...res.data, success: () => wx.showToast({ title: '支付成功' }) })
    } })
  }
})
