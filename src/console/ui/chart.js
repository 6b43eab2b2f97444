// A small SVG line chart for the live views: time on x, one or more series on y, grid lines labelled.
import { h } from './dom.js'

/** An upper bound for an axis whose values reach `max`, four times a round step (1, 2 or 5 × 10^k). */
function niceMax(max) {
  const quarter = max > 0 ? max / 4 : 1
  const power = 10 ** Math.floor(Math.log10(quarter))
  for (const step of [1, 2, 5, 10]) if (quarter <= step * power) return 4 * step * power
  return 40 * power
}

const short = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/**
 * A chart panel. series: [{ name, color, points: [{ t (ms), v (number|null) }] }]; width is the panel's.
 * Gaps (null) break the line.
 */
export function lineChart(title, series, options = {}) {
  const panel = h('div', { class: 'panel chart', 'data-chart': options.id ?? title })
  const legend = h(
    'div',
    { class: 'legend' },
    h('strong', {}, title),
    series.map((s) => {
      const swatch = h('span', { class: 'swatch' })
      swatch.style.background = s.color
      const last = s.points.at(-1)?.v
      return h(
        'span',
        {},
        swatch,
        s.name,
        last === null || last === undefined ? '' : `: ${short.format(last)}${options.unit ?? ''}`,
      )
    }),
  )
  panel.append(legend)
  const width = options.width ?? 560
  const height = 180
  const left = 44
  const bottom = 20
  const plotW = width - left - 8
  const plotH = height - bottom - 8
  const all = series.flatMap((s) => s.points)
  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title })
  if (all.length < 1 || all.every((p) => p.v === null || p.v === undefined)) {
    svg.append(
      h(
        'text',
        { x: left, y: height / 2 },
        all.length < 1 ? 'Collecting samples…' : (options.unknown ?? 'Not known for this cluster.'),
      ),
    )
    panel.append(svg)
    return panel
  }
  const t0 = Math.min(...all.map((p) => p.t))
  const t1 = Math.max(...all.map((p) => p.t), t0 + 1)
  const top = niceMax(Math.max(0, ...all.map((p) => p.v ?? 0)))
  const x = (t) => left + ((t - t0) / (t1 - t0)) * plotW
  const y = (v) => 8 + plotH - (v / top) * plotH
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4
    svg.append(h('line', { x1: left, x2: left + plotW, y1: y(v), y2: y(v), stroke: '#e3e7ee' }))
    svg.append(h('text', { x: left - 6, y: y(v) + 3, 'text-anchor': 'end' }, short.format(v)))
  }
  const clock = (t) => new Date(t).toISOString().slice(11, 19)
  svg.append(h('text', { x: left, y: height - 4 }, clock(t0)))
  svg.append(h('text', { x: left + plotW, y: height - 4, 'text-anchor': 'end' }, clock(t1)))
  for (const s of series) {
    panel.setAttribute(`data-max-${s.name}`, String(Math.max(0, ...s.points.map((p) => p.v ?? 0))))
    let run = []
    const flush = () => {
      if (run.length === 1) svg.append(h('circle', { cx: run[0][0], cy: run[0][1], r: 2, fill: s.color }))
      if (run.length > 1)
        svg.append(
          h('polyline', {
            points: run.map((p) => p.join(',')).join(' '),
            fill: 'none',
            stroke: s.color,
            'stroke-width': 2,
          }),
        )
      run = []
    }
    for (const p of s.points) {
      if (p.v === null || p.v === undefined) flush()
      else run.push([x(p.t).toFixed(1), y(p.v).toFixed(1)])
    }
    flush()
  }
  panel.append(svg)
  return panel
}
