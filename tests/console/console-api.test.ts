// The console's JSON API without a browser (#11): its bounds and its answers to bad requests, over a real
// HTTP port against an in-process Brook.
import { deepStrictEqual, match, strictEqual } from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConsoleApi, findUiFolder, folderAssets } from '../../src/console/index.js'
import { HTTP_REQUEST_BODY_BYTES_MAX, HttpListener, NodeFileSystem, SystemClock } from '../../src/io/index.js'
import { Admin, Producer, type RunningBroker, startBroker } from '../../src/index.js'
import { runBrook } from '../cli/run-cli.js'

let broker: RunningBroker
let listener: HttpListener
let api: ConsoleApi
let base = ''

before(async () => {
  broker = await startBroker({ autoCreateTopics: false })
  const fs = new NodeFileSystem()
  api = new ConsoleApi({
    bootstrap: broker.bootstrap,
    readOnly: false,
    clock: new SystemClock(),
    assets: folderAssets(fs, await findUiFolder(fs)),
    boundHost: '127.0.0.1',
  })
  listener = await HttpListener.listen('127.0.0.1', 0, (request) => api.handle(request))
  base = `http://127.0.0.1:${listener.port}`
})

after(async () => {
  await listener.close()
  await api.close()
  await broker.close()
})

const change = (path: string, body: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-brook-console': '1' },
    body,
  })

describe('console API (#11)', () => {
  test('serves the page and its modules with a strict CSP, and nothing outside its folder', async () => {
    const page = await fetch(`${base}/`)
    strictEqual(page.status, 200)
    match(await page.text(), /<title>Brook console<\/title>/)
    match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
    strictEqual((await fetch(`${base}/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8')
    strictEqual((await fetch(`${base}/..%2Fconsole-api.js`)).status, 404)
    strictEqual((await fetch(`${base}/nothing.js`)).status, 404)
  })

  test('limit: a request body over HTTP_REQUEST_BODY_BYTES_MAX is answered 413', async () => {
    const answer = await change('/api/topics', 'x'.repeat(HTTP_REQUEST_BODY_BYTES_MAX + 1))
    strictEqual(answer.status, 413)
  })

  test('bad input: malformed JSON, missing fields, missing topic and group, unknown API', async () => {
    const malformed = await change('/api/topics', '{"name":')
    strictEqual(malformed.status, 400)
    match(((await malformed.json()) as { error: string }).error, /not JSON/)
    strictEqual((await change('/api/topics', '{"partitions":1}')).status, 400)
    strictEqual((await change('/api/topics/absent/messages', '{"value":"x"}')).status, 404)
    strictEqual((await fetch(`${base}/api/topics/absent/messages`)).status, 404)
    strictEqual((await fetch(`${base}/api/groups/absent`)).status, 404)
    strictEqual((await fetch(`${base}/api/nothing`)).status, 404)
    strictEqual((await fetch(`${base}/api/topics/absent/messages?offset=-1`)).status, 400)
    const admin = new Admin({ bootstrap: broker.bootstrap })
    deepStrictEqual(await admin.listTopics(), [])
    await admin.close()
  })

  test('limit: a browse returns at most BROWSE_LIMIT_MAX records and a key filter scans at most BROWSE_SCAN_RECORDS_MAX', async () => {
    const admin = new Admin({ bootstrap: broker.bootstrap })
    await admin.createTopics([{ topic: 'many', numPartitions: 1 }])
    await admin.close()
    const producer = new Producer({ bootstrap: broker.bootstrap })
    await Promise.all(
      Array.from({ length: 5200 }, (_, i) =>
        producer.send({ topic: 'many', key: Buffer.from(`k-${i}`), value: Buffer.from(`{"i":${i}}`) }),
      ),
    )
    await producer.close()
    const newest = (await (await fetch(`${base}/api/topics/many/messages?limit=1000`)).json()) as {
      messages: Array<{ offset: number }>
    }
    strictEqual(newest.messages.length, 200)
    strictEqual(newest.messages[0].offset, 5199)
    const filtered = (await (await fetch(`${base}/api/topics/many/messages?key=no-such-key`)).json()) as {
      messages: unknown[]
      scanned: number
      partial: boolean
    }
    strictEqual(filtered.messages.length, 0)
    strictEqual(filtered.scanned, 5000)
    const found = (await (await fetch(`${base}/api/topics/many/messages?key=k-5150`)).json()) as {
      messages: Array<{ offset: number; value: { text: string } }>
    }
    deepStrictEqual(
      found.messages.map((m) => [m.offset, m.value.text]),
      [[5150, '{"i":5150}']],
    )
    const fromOffset = (await (await fetch(`${base}/api/topics/many/messages?offset=10&limit=3`)).json()) as {
      messages: Array<{ offset: number }>
    }
    deepStrictEqual(
      fromOffset.messages.map((m) => m.offset),
      [10, 11, 12],
    )
  })
})

describe('brook console command line (#11)', () => {
  test('--help exits 0; an unknown flag exits 2; an unreachable cluster exits 1 with one line', async () => {
    const help = await runBrook(['console', '--help'])
    strictEqual(help.code, 0)
    match(help.stdout, /--read-only/)
    match((await runBrook(['--help'])).stdout, /\n {2}console\b/)
    const bogus = await runBrook(['console', '--bogus'])
    strictEqual(bogus.code, 2)
    match(bogus.stderr, /^brook console: Unknown option '--bogus'\n$/)
    const unreachable = await runBrook(['console', '-b', '127.0.0.1:1', '--timeout', '500'], {
      timeoutMs: 15000,
    })
    strictEqual(unreachable.code, 1)
    match(unreachable.stderr, /^brook console: cannot reach the cluster at 127\.0\.0\.1:1: [^\n]*\n$/)
  })
})
