// Overview: totals, live charts of records in and out and of connections, and every topic with its rates.
import { lineChart } from './chart.js'
import { api, errorBox, formatBytes, formatNumber, formatRate, h, link, replace, table } from './dom.js'

const REFRESH_MS = 2000

export async function renderOverview(root) {
  let timer
  let stopped = false
  const draw = async () => {
    let data
    let error
    try {
      data = await api('overview')
    } catch (e) {
      error = e
    }
    if (stopped) return
    if (data === undefined) {
      replace(root, h('h1', {}, 'Overview'), errorBox(error))
    } else {
      const last = data.series.at(-1)
      const t = data.totals
      const card = (label, value, id) =>
        h(
          'div',
          { class: 'card', 'data-card': id },
          h('div', { class: 'label' }, label),
          h('div', { class: 'value' }, value),
        )
      const width = Math.max(320, Math.floor((root.clientWidth - 16) / 2) - 34)
      replace(
        root,
        h('h1', {}, 'Overview'),
        h(
          'div',
          { class: 'cards' },
          card('Topics', formatNumber(t.topics), 'topics'),
          card('Partitions', formatNumber(t.partitions), 'partitions'),
          card('Records stored', formatNumber(t.records), 'records'),
          card('Records in', formatRate(last?.recordsInPerSec ?? null), 'in'),
          card('Records out', formatRate(last?.recordsOutPerSec ?? null), 'out'),
          card('Connections', formatNumber(t.connections), 'connections'),
          card('Consumer groups', formatNumber(t.groups), 'groups'),
          card('Queues', formatNumber(t.shareGroups), 'queues'),
          t.bytesIn === null ? null : card('Bytes in (total)', formatBytes(t.bytesIn), 'bytes-in'),
          t.bytesOut === null ? null : card('Bytes out (total)', formatBytes(t.bytesOut), 'bytes-out'),
        ),
        h(
          'div',
          { class: 'grid2' },
          lineChart(
            'Throughput (records/s)',
            [
              {
                name: 'in',
                color: '#1d6fd8',
                points: data.series.map((p) => ({ t: p.atMs, v: p.recordsInPerSec })),
              },
              {
                name: 'out',
                color: '#e07b00',
                points: data.series.map((p) => ({ t: p.atMs, v: p.recordsOutPerSec })),
              },
            ],
            { id: 'throughput', width, unit: '/s' },
          ),
          lineChart(
            'Connections',
            [
              {
                name: 'open',
                color: '#2e7d32',
                points: data.series.map((p) => ({ t: p.atMs, v: p.connections })),
              },
            ],
            {
              id: 'connections',
              unknown: 'Known from Brook’s /metrics only (brook console --metrics-url).',
              width,
            },
          ),
        ),
        h(
          'div',
          { class: 'panel' },
          h('h2', {}, 'Topics'),
          table(
            [
              ['Topic', (r) => link('topics', r.name)],
              ['Partitions', (r) => formatNumber(r.partitions), { num: true }],
              ['Records stored', (r) => formatNumber(r.records), { num: true }],
              ['In', (r) => formatRate(r.inPerSec), { num: true }],
              ['Out', (r) => formatRate(r.outPerSec), { num: true }],
            ],
            data.topics,
            'No topics yet.',
          ),
        ),
        h(
          'ul',
          { class: 'notes' },
          data.notes.map((n) => h('li', {}, n)),
        ),
      )
    }
    timer = setTimeout(draw, REFRESH_MS)
  }
  await draw()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
