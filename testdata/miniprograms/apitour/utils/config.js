// The server the network demos talk to. Tests launch the app with the query
// ?api=http://127.0.0.1:<port> to point it at their own server.
export const API_BASE = 'http://127.0.0.1:0'

export function apiBase() {
  const { query } = wx.getLaunchOptionsSync()
  return (query && query.api) || API_BASE
}

export function socketURL() {
  return `${apiBase().replace(/^http/, 'ws')}/ws`
}

// navigateToMiniProgram opens the todo fixture: its project.config.json
// appid unless the launch query names the one a platform gave it (?target=).
export function targetAppid() {
  const { query } = wx.getLaunchOptionsSync()
  return (query && query.target) || 'wxfixture00000001'
}
