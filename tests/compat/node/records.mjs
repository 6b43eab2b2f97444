// Shared by the Node compat programs: the records every client produces and the checks on what comes back.
// Records are plain Buffers so each client's own serialisation is what gets tested.

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
export const RECORDS_PER_CODEC = 20
export const PARTITIONS = 3
export const TIMEOUT_MS = 60_000

/** The i-th record for a codec: key, value and headers (an array of [name, Buffer] pairs, in order). */
export function makeRecord(codec, i) {
  return {
    key: Buffer.from(`key-${codec}-${i}`),
    value: Buffer.from(`value-${codec}-${i}-${'brook '.repeat((i * 7) % 50)}`),
    headers: [
      ['h-index', Buffer.from(String(i))],
      ['h-codec', Buffer.from(codec)],
      ['h-empty', Buffer.alloc(0)],
    ],
  }
}

/** What each partition must hold, in order, when record i of each codec went to partition i mod PARTITIONS. */
export function expectedExplicit(codecs = CODECS) {
  const expected = Array.from({ length: PARTITIONS }, () => [])
  for (const codec of codecs) {
    for (let i = 0; i < RECORDS_PER_CODEC; i++) expected[i % PARTITIONS].push(makeRecord(codec, i))
  }
  return expected
}

function describe(record) {
  const headers = record.headers.map(([k, v]) => `${k}=${v === null ? 'null' : v.toString()}`).join(',')
  return `key=${record.key?.toString()} value=${record.value?.toString().slice(0, 40)} headers=[${headers}]`
}

function sameBuffer(a, b) {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null)
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
}

function sameRecord(want, have) {
  if (!sameBuffer(want.key, have.key) || !sameBuffer(want.value, have.value)) return false
  if (want.headers.length !== have.headers.length) return false
  return want.headers.every(
    ([k, v], i) => k === String(have.headers[i][0]) && sameBuffer(v, have.headers[i][1] ?? Buffer.alloc(0)),
  )
}

/** Throws an Error naming the first difference between expected and consumed records, partition by partition. */
export function compareRecords(expected, got) {
  for (let p = 0; p < expected.length; p++) {
    const want = expected[p]
    const have = got[p] ?? []
    if (want.length !== have.length)
      throw new Error(`partition ${p}: expected ${want.length} records, got ${have.length}`)
    for (let i = 0; i < want.length; i++) {
      if (!sameRecord(want[i], have[i]))
        throw new Error(`partition ${p} record ${i}: expected ${describe(want[i])}, got ${describe(have[i])}`)
    }
  }
}

/** Parses `HOST:PORT PREFIX [all|produce|verify]` from argv. */
export function parseArgs(argv) {
  const [bootstrap, prefix, phase = 'all'] = argv.slice(2)
  if (!bootstrap || !prefix || !['all', 'produce', 'verify'].includes(phase)) {
    throw new Error('usage: node <program> HOST:PORT TOPIC_PREFIX [all|produce|verify]')
  }
  return { bootstrap, prefix, phase }
}

/** Runs main, prints `ok ...` on success or `FAIL label: message` on stderr and exits 1 on any error. */
export function runMain(label, main) {
  const timer = setTimeout(() => {
    console.error(`FAIL ${label}: timed out after ${TIMEOUT_MS * 2} ms`)
    process.exit(1)
  }, TIMEOUT_MS * 2)
  main().then(
    (summary) => {
      clearTimeout(timer)
      console.log(`ok ${label} ${summary}`)
      process.exit(0)
    },
    (error) => {
      const causes = error?.errors
        ? `\n  caused by: ${error.errors.map((e) => e?.message ?? e).join('\n  caused by: ')}`
        : ''
      console.error(`FAIL ${label}: ${error?.stack ?? error}${causes}`)
      process.exit(1)
    },
  )
}
