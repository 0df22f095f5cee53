import { loadTodos } from '../../utils/store'

const app = getApp()

Page({
  data: {
    launchCount: 0,
    done: 0,
    total: 0,
    percent: 0
  },

  onShow() {
    const todos = loadTodos()
    const done = todos.filter(t => t.done).length
    this.setData({
      launchCount: app.globalData.launchCount,
      done,
      total: todos.length,
      percent: todos.length ? Math.round((done / todos.length) * 100) : 0
    })
  }
})
