// kcat-like message formatting for `brook consume --format`: %t topic, %p partition, %o offset, %k key,
// %s value, %h headers (k=v,k=v), %T timestamp in ms, %K / %S key and value length, %% a percent sign;
// \n, \t and \\ escapes. Values that are JSON can be pretty-printed.
import type { Message } from '../client/index.js'

/** Turns a --format string into a function from a message to its printed text. */
export function compileFormat(format: string, pretty: boolean): (message: Message) => string {
  const unescaped = format.replace(/\\([nt\\r])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : '\\',
  )
  const parts = unescaped.split(/(%.)/).filter((p) => p.length > 0)
  for (const p of parts)
    if (p.length === 2 && p[0] === '%' && !'tpokshTKS%'.includes(p[1]))
      throw new Error(`unknown format token '${p}' (use %t %p %o %k %s %h %T %K %S %%)`)
  return (m) => {
    let out = ''
    for (const p of parts) {
      if (p.length !== 2 || p[0] !== '%') {
        out += p
        continue
      }
      switch (p[1]) {
        case 't':
          out += m.topic
          break
        case 'p':
          out += m.partition
          break
        case 'o':
          out += m.offset
          break
        case 'k':
          out += m.key === null ? '' : m.key.toString('utf8')
          break
        case 's':
          out += valueText(m.value, pretty)
          break
        case 'h':
          out += m.headers
            .map((h) => `${h.key}=${h.value === null ? '' : h.value.toString('utf8')}`)
            .join(',')
          break
        case 'T':
          out += m.timestamp
          break
        case 'K':
          out += m.key === null ? -1 : m.key.length
          break
        case 'S':
          out += m.value === null ? -1 : m.value.length
          break
        default:
          out += '%'
      }
    }
    return out
  }
}

/** A value as text; with `pretty`, a JSON value is re-indented (anything else is printed as it is). */
export function valueText(value: Buffer | null, pretty: boolean): string {
  if (value === null) return ''
  const text = value.toString('utf8')
  if (!pretty) return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
