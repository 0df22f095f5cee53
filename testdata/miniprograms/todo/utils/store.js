// Todos are kept in local storage as one array under TODOS_KEY, so the
// list survives restarts. The malicious fixture tries to read this key.
export const TODOS_KEY = 'todos'
export const LAUNCH_COUNT_KEY = 'launchCount'

export function loadTodos() {
  const list = wx.getStorageSync(TODOS_KEY)
  return Array.isArray(list) ? list : []
}

export function saveTodos(list) {
  wx.setStorageSync(TODOS_KEY, list)
}

// Ids are small integers so that element ids (#todo-1, #todo-2, …) are
// predictable.
export function nextId(list) {
  return list.reduce((max, t) => Math.max(max, t.id), 0) + 1
}
