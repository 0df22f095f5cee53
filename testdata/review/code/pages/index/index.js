import AlipaySdk from 'alipay-sdk'
const cdn = require('https://cdn.example.com/lib.js')

// eval('commented out') must not count
const gateway = 'https://openapi.alipay.com/gateway.do'

Page({
  run(expr) {
    const v = eval(expr)
    const f = new Function('a', 'return a * 2')
    setTimeout('tick()', 100)
    importScripts('https://cdn.example.com/worker.js')
    const fs = wx.getFileSystemManager()
    return [v, f, fs, cdn, gateway, AlipaySdk]
  },
  buy() {
    wx.showLoading({ title: '钻石充值' })
    wx.requestPayment({
      timeStamp: '1', nonceStr: 'n', package: 'prepay_id=1', signType: 'RSA', paySign: 's'
    })
  }
})
