// wx.request and wx.connectSocket return a task object, so they have no
// Promise form: wrap the callbacks.
export const promisify = fn => (options = {}) =>
  new Promise((resolve, reject) => {
    fn({ ...options, success: resolve, fail: reject })
  })
