// One entry per button. run(page) returns the value shown in #r-<key>
// (strings as they are, anything else as JSON) or throws; the page prefixes
// "ok: " or "fail: ".
import { apiBase, socketURL, targetAppid } from '../../utils/config'
import { promisify } from '../../utils/promisify'

const request = promisify(wx.request)
const wait = ms => new Promise(resolve => setTimeout(resolve, ms))

export const apis = [
  {
    key: 'storageSync',
    label: 'setStorageSync / getStorageSync',
    run() {
      wx.setStorageSync('tour', { n: 1, s: '中文' })
      return wx.getStorageSync('tour')
    }
  },
  {
    key: 'storageAsync',
    label: 'setStorage / getStorage / removeStorage',
    async run() {
      await wx.setStorage({ key: 'tourAsync', data: [1, 2, 3] })
      const { data } = await wx.getStorage({ key: 'tourAsync' })
      await wx.removeStorage({ key: 'tourAsync' })
      return { data, afterRemove: wx.getStorageSync('tourAsync') }
    }
  },
  {
    key: 'storageInfo',
    label: 'getStorageInfoSync / getStorageInfo',
    async run() {
      wx.setStorageSync('tour', { n: 1 })
      const sync = wx.getStorageInfoSync()
      const info = await wx.getStorageInfo()
      return { keys: sync.keys.sort(), sameKeys: sync.keys.length === info.keys.length, limitSize: info.limitSize }
    }
  },
  {
    key: 'systemInfo',
    label: 'getSystemInfoSync',
    run() {
      const { platform, windowWidth, windowHeight, pixelRatio, SDKVersion, language } = wx.getSystemInfoSync()
      return { platform, windowWidth, windowHeight, pixelRatio, SDKVersion, language }
    }
  },
  {
    key: 'windowInfo',
    label: 'getWindowInfo',
    run() {
      const { windowWidth, windowHeight, screenWidth, pixelRatio, statusBarHeight } = wx.getWindowInfo()
      return { windowWidth, windowHeight, screenWidth, pixelRatio, statusBarHeight }
    }
  },
  {
    key: 'launchOptions',
    label: 'getLaunchOptionsSync',
    run() {
      const { path, scene, query } = wx.getLaunchOptionsSync()
      return { path, scene, query }
    }
  },
  {
    key: 'enterOptions',
    label: 'getEnterOptionsSync',
    run() {
      const { path, scene } = wx.getEnterOptionsSync()
      return { path, scene }
    }
  },
  {
    key: 'appShowHide',
    label: 'onAppShow / onAppHide 计数',
    run() {
      const { shows, hides } = getApp().globalData
      return { shows, hides }
    }
  },
  {
    key: 'login',
    label: 'wx.login',
    async run() {
      const { code } = await wx.login()
      return code
    }
  },
  {
    key: 'checkSession',
    label: 'wx.checkSession',
    async run() {
      const { errMsg } = await wx.checkSession()
      return errMsg
    }
  },
  {
    key: 'getUserProfile',
    label: 'wx.getUserProfile',
    async run() {
      const { userInfo } = await wx.getUserProfile({ desc: '用于展示头像昵称' })
      return { nickName: userInfo.nickName, hasAvatar: Boolean(userInfo.avatarUrl) }
    }
  },
  {
    key: 'getSetting',
    label: 'wx.getSetting',
    async run() {
      const { authSetting } = await wx.getSetting()
      return authSetting
    }
  },
  {
    key: 'authorize',
    label: 'wx.authorize(scope.userLocation)',
    async run() {
      const { errMsg } = await wx.authorize({ scope: 'scope.userLocation' })
      return errMsg
    }
  },
  {
    key: 'openSetting',
    label: 'wx.openSetting',
    async run() {
      const { authSetting } = await wx.openSetting()
      return authSetting
    }
  },
  {
    key: 'getLocation',
    label: 'wx.getLocation',
    async run() {
      const { latitude, longitude } = await wx.getLocation({ type: 'gcj02' })
      return { latitude, longitude }
    }
  },
  {
    key: 'chooseImage',
    label: 'wx.chooseImage',
    async run() {
      const { tempFilePaths } = await wx.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['album'] })
      return { count: tempFilePaths.length }
    }
  },
  {
    key: 'chooseMedia',
    label: 'wx.chooseMedia',
    async run() {
      const { tempFiles, type } = await wx.chooseMedia({ count: 1, mediaType: ['image'] })
      return { type, count: tempFiles.length }
    }
  },
  {
    key: 'previewImage',
    label: 'wx.previewImage',
    async run() {
      const { errMsg } = await wx.previewImage({ current: '/images/sample.png', urls: ['/images/sample.png'] })
      return errMsg
    }
  },
  {
    key: 'scanCode',
    label: 'wx.scanCode',
    async run() {
      const { result, scanType } = await wx.scanCode({ onlyFromCamera: false })
      return { result, scanType }
    }
  },
  {
    key: 'clipboard',
    label: 'setClipboardData / getClipboardData',
    async run() {
      await wx.setClipboardData({ data: 'superapp-clipboard' })
      const { data } = await wx.getClipboardData()
      return data
    }
  },
  {
    key: 'makePhoneCall',
    label: 'wx.makePhoneCall',
    async run() {
      const { errMsg } = await wx.makePhoneCall({ phoneNumber: '10086' })
      return errMsg
    }
  },
  {
    key: 'selectorQuery',
    label: 'createSelectorQuery().boundingClientRect',
    run() {
      return new Promise(resolve => {
        wx.createSelectorQuery()
          .select('#target')
          .boundingClientRect()
          .selectViewport()
          .scrollOffset()
          .exec(([rect, viewport]) => {
            resolve({ id: rect.id, width: rect.width, height: rect.height, dataset: rect.dataset, scrollTop: viewport.scrollTop })
          })
      })
    }
  },
  {
    key: 'intersectionObserver',
    label: 'createIntersectionObserver',
    run(page) {
      return new Promise(resolve => {
        const observer = page.createIntersectionObserver()
        observer.relativeToViewport({ bottom: 0 }).observe('#observed', res => {
          observer.disconnect()
          resolve({ id: res.id, visible: res.intersectionRatio > 0 })
        })
      })
    }
  },
  {
    key: 'nextTick',
    label: 'wx.nextTick',
    run() {
      const order = []
      return new Promise(resolve => {
        wx.nextTick(() => {
          order.push('tick')
          resolve(order.join(','))
        })
        order.push('sync')
      })
    }
  },
  {
    key: 'accountInfo',
    label: 'wx.getAccountInfoSync + wx.getExtConfigSync',
    run() {
      return { miniProgram: wx.getAccountInfoSync().miniProgram, ext: wx.getExtConfigSync() }
    }
  },
  {
    key: 'canIUse',
    label: 'wx.canIUse',
    run() {
      return {
        getSystemInfoSync: wx.canIUse('getSystemInfoSync'),
        'button.open-type.share': wx.canIUse('button.open-type.share'),
        'picker-view-column': wx.canIUse('picker-view-column'),
        'getSystemInfoSync.return.windowWidth': wx.canIUse('getSystemInfoSync.return.windowWidth'),
        noSuchApi: wx.canIUse('noSuchApi')
      }
    }
  },
  {
    key: 'navigateToMiniProgram',
    label: 'wx.navigateToMiniProgram',
    async run() {
      const { errMsg } = await wx.navigateToMiniProgram({ appId: targetAppid(), path: 'pages/index/index', extraData: { from: 'apitour' } })
      return errMsg
    }
  },
  {
    key: 'createAnimation',
    label: 'wx.createAnimation',
    async run(page) {
      const animation = wx.createAnimation({ duration: 300, timingFunction: 'ease' })
      animation.translateX(100).rotate(45).step().opacity(0.5).step({ duration: 200 })
      const exported = animation.export()
      page.setData({ animation: exported })
      return { steps: exported.actions.length }
    }
  },
  {
    key: 'pageScrollTo',
    label: 'wx.pageScrollTo',
    async run() {
      const { errMsg } = await wx.pageScrollTo({ selector: '#target', duration: 0 })
      return errMsg
    }
  },
  {
    key: 'showToast',
    label: 'wx.showToast',
    async run() {
      const { errMsg } = await wx.showToast({ title: '成功', icon: 'success', duration: 1000 })
      return errMsg
    }
  },
  {
    key: 'showModal',
    label: 'wx.showModal',
    async run() {
      const { confirm, cancel } = await wx.showModal({ title: '提示', content: '这是一个模态弹窗' })
      return { confirm, cancel }
    }
  },
  {
    key: 'showLoading',
    label: 'wx.showLoading / hideLoading',
    async run() {
      await wx.showLoading({ title: '加载中', mask: true })
      await wait(300)
      const { errMsg } = await wx.hideLoading()
      return errMsg
    }
  },
  {
    key: 'showActionSheet',
    label: 'wx.showActionSheet',
    async run() {
      const { tapIndex } = await wx.showActionSheet({ itemList: ['拍照', '从相册选择'] })
      return { tapIndex }
    }
  },
  {
    key: 'request',
    label: 'wx.request',
    async run() {
      const { statusCode, data } = await request({
        url: `${apiBase()}/echo?from=apitour`,
        method: 'POST',
        data: { hello: '世界' },
        header: { 'content-type': 'application/json' }
      })
      return { statusCode, data }
    }
  },
  {
    key: 'connectSocket',
    label: 'wx.connectSocket',
    run() {
      return new Promise((resolve, reject) => {
        const task = wx.connectSocket({ url: socketURL() })
        task.onOpen(() => task.send({ data: 'ping' }))
        task.onMessage(({ data }) => {
          task.close({ code: 1000 })
          resolve({ echoed: data })
        })
        task.onError(err => reject(err))
      })
    }
  },
  {
    key: 'requestSubscribeMessage',
    label: 'wx.requestSubscribeMessage（应失败）',
    async run() {
      const res = await wx.requestSubscribeMessage({ tmplIds: ['fixture-template-id'] })
      return res
    }
  },
  {
    key: 'requestPayment',
    label: 'wx.requestPayment（应失败）',
    async run() {
      const res = await wx.requestPayment({
        timeStamp: '1700000000',
        nonceStr: 'fixture',
        package: 'prepay_id=fixture',
        signType: 'RSA',
        paySign: 'fixture'
      })
      return res
    }
  },
  {
    key: 'cloud',
    label: 'wx.cloud（应不存在）',
    run() {
      return typeof wx.cloud === 'undefined' ? 'absent' : `present: ${typeof wx.cloud.init}`
    }
  }
]
