// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Uses the native @node-rs/crc32 (SSE 4.2) when it
// loads, and a slice-by-8 table implementation otherwise. Node's zlib.crc32 is CRC-32 (IEEE): not this.
import { createRequire } from 'node:module'

type Crc32cFn = (input: Uint8Array, initial?: number) => number

function loadNative(): Crc32cFn | undefined {
  try {
    const require = createRequire(import.meta.url)
    const mod = require('@node-rs/crc32') as { crc32c: (input: Buffer, initial?: number) => number }
    return (input, initial) =>
      mod.crc32c(Buffer.from(input.buffer, input.byteOffset, input.byteLength), initial ?? 0) >>> 0
  } catch {
    return undefined
  }
}

const tables: Uint32Array[] = (() => {
  const result: Uint32Array[] = []
  const first = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    first[n] = c >>> 0
  }
  result.push(first)
  for (let t = 1; t < 8; t++) {
    const table = new Uint32Array(256)
    const previous = result[t - 1]
    for (let n = 0; n < 256; n++) table[n] = (previous[n] >>> 8) ^ first[previous[n] & 0xff]
    result.push(table)
  }
  return result
})()

/** Plain JavaScript CRC-32C, slice-by-8. `initial` continues a previous checksum. */
export function crc32cPortable(input: Uint8Array, initial = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables
  let crc = ~initial >>> 0
  let i = 0
  const end8 = input.length - (input.length % 8)
  while (i < end8) {
    const a = crc ^ (input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24))
    crc =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[input[i + 4]] ^
      t2[input[i + 5]] ^
      t1[input[i + 6]] ^
      t0[input[i + 7]]
    i += 8
  }
  while (i < input.length) crc = t0[(crc ^ input[i++]) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

/** CRC-32C of `input` as an unsigned 32-bit number. `initial` continues a previous checksum. */
export const crc32c: Crc32cFn = loadNative() ?? crc32cPortable
