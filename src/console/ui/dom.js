// DOM helpers of the console: element building (no HTML strings, so nothing from the cluster is parsed
// as markup), the JSON API client, number formats, a JSON highlighter and a confirmation dialog.

/** Builds an element: attrs may hold class, on<Event> handlers, and other attributes; null children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'path', 'line', 'text', 'g', 'polyline', 'rect', 'circle'].includes(tag)
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag)
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (name === 'class') el.setAttribute('class', value)
    else if (name === 'value' && !svg) el.value = value
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(el, child)
    else el.append(child instanceof Node ? child : String(child))
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren()
  append(el, children)
}

/** Calls the console's API; a non-2xx answer throws an Error with the server's message. */
export async function api(path, options = {}) {
  const init = { method: options.method ?? 'GET', headers: {} }
  if (options.body !== undefined) {
    init.method = 'POST'
    init.headers['content-type'] = 'application/json'
    init.headers['x-brook-console'] = '1'
    init.body = JSON.stringify(options.body)
  }
  const response = await fetch(`/api/${path}`, init)
  const text = await response.text()
  let body
  try {
    body = JSON.parse(text)
  } catch {
    body = { error: text }
  }
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`)
  return body
}

const integer = new Intl.NumberFormat('en-US')
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

export function formatNumber(n) {
  return n === null || n === undefined ? '–' : integer.format(n)
}

export function formatRate(n) {
  return n === null || n === undefined ? '–' : `${decimal.format(n)}/s`
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${decimal.format(n)} ${units[i]}`
}

export function formatTime(ms) {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}

/** An error box, or nothing. */
export function errorBox(error) {
  return error ? h('div', { class: 'error', role: 'alert' }, error.message ?? String(error)) : null
}

/** Shows bytes the API sent ({text, encoding, bytes, truncated}): JSON pretty-printed, else text. */
export function showValue(shown) {
  if (shown === null || shown === undefined) return h('span', { class: 'muted' }, 'null')
  if (shown.encoding === 'base64')
    return h('span', { class: 'mono', title: `${shown.bytes} bytes, not UTF-8` }, `base64:${shown.text}`)
  const trimmed = shown.text.trim()
  if (!shown.truncated && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      return highlightJson(JSON.stringify(JSON.parse(trimmed), null, 2))
    } catch {
      // not JSON after all: shown as text below
    }
  }
  return h('pre', {}, shown.text + (shown.truncated ? ` … (${shown.bytes} bytes)` : ''))
}

const jsonToken = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

/** Pretty JSON text with keys, strings, numbers and literals in their own spans. */
export function highlightJson(text) {
  const pre = h('pre', { class: 'json' })
  let last = 0
  for (const match of text.matchAll(jsonToken)) {
    if (match.index > last) pre.append(text.slice(last, match.index))
    const cls =
      match[1] !== undefined ? (match[2] !== undefined ? 'k' : 's') : match[3] !== undefined ? 'b' : 'n'
    pre.append(h('span', { class: cls }, match[1] ?? match[0]))
    if (match[2] !== undefined) pre.append(match[2])
    last = match.index + match[0].length
  }
  pre.append(text.slice(last))
  return pre
}

/** Asks before a change; resolves true when the person confirms. */
export function confirmChange(title, message, action = 'Confirm') {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'confirm' },
      h('h2', {}, title),
      h('p', {}, message),
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'secondary', type: 'button', onclick: () => dialog.close('cancel') }, 'Cancel'),
        h('button', { type: 'button', onclick: () => dialog.close('ok') }, action),
      ),
    )
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'ok')
    })
    document.body.append(dialog)
    dialog.showModal()
  })
}

/** A table: columns are [title, cell(row), options?]; options.num right-aligns. */
export function table(columns, rows, empty = 'Nothing here yet.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty)
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([title, , o]) => h('th', { class: o?.num ? 'num' : null }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map(([, cell, o]) => h('td', { class: o?.num ? 'num' : null }, cell(row))),
        ),
      ),
    ),
  )
}

/** The link of a view: #/area/id. */
export function link(area, id, text) {
  return h('a', { href: `#/${area}/${encodeURIComponent(id)}` }, text ?? id)
}
