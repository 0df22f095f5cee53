// Every lifecycle callback of the index page and its components appends an
// entry here, in the order the framework calls them; the page shows the
// list (#log, #log-text) so an end-to-end test can assert that order.
const entries = []
let listener = null
let pending = false

export function log(text) {
  entries.push({ seq: entries.length, text })
  if (listener && !pending) {
    pending = true
    // Callbacks such as `created` must not call setData: deliver in a batch later.
    setTimeout(() => {
      pending = false
      if (listener) listener(entries.slice())
    }, 0)
  }
}

export function subscribe(fn) {
  listener = fn
  fn(entries.slice())
}

export function unsubscribe() {
  listener = null
}

export function reset() {
  entries.length = 0
}
