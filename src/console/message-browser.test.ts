import { deepStrictEqual, strictEqual } from 'node:assert/strict'
import { test } from 'node:test'
import { SHOWN_BYTES_MAX, showBytes } from './message-browser.js'
import { byLabel, parsePrometheusText, sumOf } from './prometheus-text.js'

test('bytes are shown as UTF-8 when valid, else base64, cut at SHOWN_BYTES_MAX (#11)', () => {
  deepStrictEqual(showBytes(Buffer.from('{"a":1}')), {
    text: '{"a":1}',
    encoding: 'utf8',
    bytes: 7,
    truncated: false,
  })
  deepStrictEqual(showBytes(Buffer.from([0xff, 0x00, 0xfe])), {
    text: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
    encoding: 'base64',
    bytes: 3,
    truncated: false,
  })
  strictEqual(showBytes(null), null)
  const big = showBytes(Buffer.alloc(SHOWN_BYTES_MAX + 10, 'x'))
  strictEqual(big?.text.length, SHOWN_BYTES_MAX)
  strictEqual(big?.truncated, true)
  strictEqual(big?.bytes, SHOWN_BYTES_MAX + 10)
})

test('Prometheus text: sums and per-label sums, comments and escapes (#11)', () => {
  const samples = parsePrometheusText(
    [
      '# HELP brook_records_out_total x',
      '# TYPE brook_records_out_total counter',
      'brook_records_out_total{topic="a"} 5',
      'brook_records_out_total{topic="b\\"q"} 7',
      'brook_connections 3',
      'bad line',
    ].join('\n'),
  )
  strictEqual(sumOf(samples, 'brook_records_out_total'), 12)
  strictEqual(sumOf(samples, 'brook_connections'), 3)
  strictEqual(sumOf(samples, 'absent'), undefined)
  deepStrictEqual(
    [...byLabel(samples, 'brook_records_out_total', 'topic')],
    [
      ['a', 5],
      ['b"q', 7],
    ],
  )
})
