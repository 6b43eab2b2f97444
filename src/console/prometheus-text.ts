// Reads the few numbers the console needs from Prometheus text (Brook's /metrics): a sum of one metric's
// samples, optionally grouped by one label. Only `name{labels} value` lines are read; comments are skipped.

/** One sample line: metric name, labels and value. */
export interface PrometheusSample {
  name: string
  labels: Record<string, string>
  value: number
}

const linePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses the sample lines of a Prometheus text exposition (other lines are ignored). */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const out: PrometheusSample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = linePattern.exec(line)
    if (match === null) continue
    const value = Number(match[3])
    if (Number.isNaN(value)) continue
    const labels: Record<string, string> = {}
    for (const label of (match[2] ?? '').matchAll(labelPattern))
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    out.push({ name: match[1], labels, value })
  }
  return out
}

/** The sum of every sample of `name`. Undefined when the metric is absent. */
export function sumOf(samples: readonly PrometheusSample[], name: string): number | undefined {
  let found = false
  let total = 0
  for (const s of samples)
    if (s.name === name) {
      found = true
      total += s.value
    }
  return found ? total : undefined
}

/** Samples of `name` summed per value of `label`. */
export function byLabel(
  samples: readonly PrometheusSample[],
  name: string,
  label: string,
): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of samples)
    if (s.name === name) {
      const key = s.labels[label] ?? ''
      out.set(key, (out.get(key) ?? 0) + s.value)
    }
  return out
}
