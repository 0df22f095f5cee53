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
