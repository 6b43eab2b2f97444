// Request frames captured from real clients (tests/fixtures/frames, see its README) decode with our codec
// and re-encode to the same bytes. Versions newer than our definitions are listed, not silently skipped.
import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import {
  Reader,
  encodeRequestFrame,
  readRequestHeader,
  requestCodec,
  skipHeaderTags,
} from '../src/protocol/index.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const dir = path.join(root, 'tests/fixtures/frames')
const files = readdirSync(dir).filter((name) => name.endsWith('.bin'))

test('fixtures are present', () => {
  ok(files.length >= 40, `expected the captured frames, found ${files.length}`)
})

for (const file of files) {
  test(`golden frame ${file}`, () => {
    const frame = readFileSync(path.join(dir, file))
    equal(frame.readInt32BE(0), frame.length - 4, 'size prefix matches the file')
    const reader = new Reader(frame, 4)
    const header = readRequestHeader(reader)
    const codec = requestCodec(header.apiKey, header.apiVersion)
    if (codec === undefined) {
      // Only one capture may be outside our definitions: ListPartitionReassignments (46), in case Brook stops
      // serving it. ApiVersions v5 (Kafka 4.4 clients) has been defined since #9.
      ok(header.apiKey === 46, `no definition for api ${header.apiKey} v${header.apiVersion}`)
      return
    }
    if (codec.flexible) skipHeaderTags(reader)
    const body = codec.decode(reader)
    equal(reader.offset, frame.length, 'the body is consumed exactly')
    const encoded = Buffer.concat(
      encodeRequestFrame(header.apiKey, header.apiVersion, header.correlationId, header.clientId, body),
    )
    deepStrictEqual(encoded, frame, 're-encoding gives the captured bytes')
  })
}
