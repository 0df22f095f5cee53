// pages/index/index.js
import { loadTodos, saveTodos, nextId } from '../../utils/store'

const FILTERS = [
  { label: '全部', value: 'all' },
  { label: '未完成', value: 'active' },
  { label: '已完成', value: 'done' }
]

Page({
  data: {
    draft: '',
    todos: [],
    filter: 'all',
    filters: FILTERS
  },

  onLoad() {
    this.setData({ todos: loadTodos() })
  },

  update(todos) {
    this.setData({ todos })
    saveTodos(todos)
  },

  addTodo() {
    const title = this.data.draft.trim()
    if (!title) {
      wx.showToast({ title: '请输入内容', icon: 'none' })
      return
    }
    const { todos } = this.data
    this.update([...todos, { id: nextId(todos), title, done: false, createdAt: Date.now() }])
    this.setData({ draft: '' })
    wx.showToast({ title: '已添加', icon: 'success' })
  },

  toggleTodo(e) {
    const { id } = e.currentTarget.dataset
    this.update(this.data.todos.map(t => (t.id === id ? { ...t, done: !t.done } : t)))
  },

  deleteTodo(e) {
    const { id } = e.currentTarget.dataset
    this.update(this.data.todos.filter(t => t.id !== id))
  },

  setFilter(e) {
    this.setData({ filter: e.currentTarget.dataset.value })
  },

  async clearAll() {
    const { confirm } = await wx.showModal({
      title: '全部删除',
      content: `确定删除全部 ${this.data.todos.length} 项吗？`,
      confirmText: '删除',
      confirmColor: '#e64340'
    })
    if (confirm) {
      this.update([])
    }
  },

  onShareAppMessage() {
    const left = this.data.todos.filter(t => !t.done).length
    return { title: `我还有 ${left} 件事要做`, path: '/pages/index/index' }
  }
})
