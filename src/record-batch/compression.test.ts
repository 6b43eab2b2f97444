// Codec round trips, both snappy framings, LZ4 frames via the portable decoder, and decompression bounds.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { gzipSync } from 'node:zlib'
import { Compression } from './batch-header.js'
import {
  compress,
  compressAsync,
  compressSnappyRaw,
  compressSnappyXerial,
  decompress,
  decompressAsync,
  isCodecAvailable,
  isXerialSnappy,
  XERIAL_MAGIC,
} from './compression.js'
import {
  CorruptCompressedError,
  DecompressedTooLargeError,
  isRecordBatchError,
  UnknownCodecError,
} from '../core/index.js'
import { decompressLz4FramesPortable, decompressLz4FramesPortableAsync, scanLz4Frames } from './lz4-frame.js'

const require = createRequire(import.meta.url)
const text = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(2000))
const noise = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24))
const codecs = [
  Compression.none,
  Compression.gzip,
  Compression.snappy,
  Compression.lz4,
  Compression.zstd,
] as const

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    assert.ok(isRecordBatchError(error), `expected a record-batch error, got ${error}`)
    return error.code
  }
  return undefined
}

/**
 * CPU time (ms) the main thread ran in each stretch between two pauses of `run`, the last one included
 * (Linux: schedstat, so that work on the thread pool does not count; elsewhere the process's CPU time).
 */
async function cpuSlices(run: (pause: () => Promise<void>) => Promise<unknown>): Promise<number[]> {
  const cpuMs = () => {
    try {
      return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
    } catch {
      const used = process.cpuUsage()
      return (used.user + used.system) / 1000
    }
  }
  const slices: number[] = []
  let sliceStart = cpuMs()
  await run(async () => {
    slices.push(cpuMs() - sliceStart)
    sliceStart = cpuMs()
  })
  slices.push(cpuMs() - sliceStart)
  return slices
}

/**
 * Asserts that no stretch between two pauses of `run` takes much more CPU than the others: in at least one
 * of three runs (a garbage collection may land in any one slice; a structural long slice is in all three)
 * the worst slice is under five times the median, or under 20 ms.
 */
async function assertEvenSlices(label: string, run: (pause: () => Promise<void>) => Promise<unknown>) {
  const seen: string[] = []
  for (let round = 0; round < 3; round++) {
    const sorted = (await cpuSlices(run)).sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    const worst = sorted[sorted.length - 1]
    if (worst < Math.max(5 * median, 20)) return
    seen.push(`worst ${worst.toFixed(1)} ms, median ${median.toFixed(1)} ms of ${sorted.length} slices`)
  }
  assert.fail(`${label}: a slice much longer than the others in every run: ${seen.join('; ')}`)
}

describe('compression', () => {
  it('has every codec available in this install', () => {
    for (const codec of codecs) assert.equal(isCodecAvailable(codec), true)
    assert.equal(isCodecAvailable(5), false)
  })

  for (const codec of codecs) {
    it(`round-trips codec ${codec} on text, noise and empty input`, () => {
      for (const input of [text, noise, Buffer.alloc(0), Buffer.from('x')]) {
        const packed = compress(codec, input)
        if (codec !== Compression.none && input === text) assert.ok(packed.length < input.length / 4)
        assert.deepEqual(decompress(codec, packed, input.length), input)
      }
    })

    it(`compresses with codec ${codec} off the event loop to what decompress reads back (#7)`, async () => {
      for (const input of [text, noise, Buffer.alloc(0), Buffer.from('x')]) {
        const packed = await compressAsync(codec, input, async () => {})
        if (codec !== Compression.none && input === text) assert.ok(packed.length < input.length / 4)
        assert.deepEqual(decompress(codec, packed, input.length), input)
      }
    })

    it(`bounds codec ${codec} output`, () => {
      const packed = compress(codec, text)
      assert.equal(
        codeOf(() => decompress(codec, packed, text.length - 1)),
        DecompressedTooLargeError.code,
      )
    })
  }

  it('decodes raw snappy as librdkafka writes it', () => {
    const raw = compressSnappyRaw(text)
    assert.equal(isXerialSnappy(raw), false)
    assert.deepEqual(decompress(Compression.snappy, raw), text)
  })

  it('decodes a hand-built xerial frame with several blocks, as the Java client writes it', () => {
    const snappy = require('snappy') as { compressSync(input: Buffer): Buffer }
    const parts = [text.subarray(0, 1000), text.subarray(1000, 40_000), text.subarray(40_000)]
    const header = Buffer.alloc(16)
    XERIAL_MAGIC.copy(header)
    header.writeInt32BE(1, 8)
    header.writeInt32BE(1, 12)
    const chunks: Buffer[] = [header]
    for (const part of parts) {
      const block = snappy.compressSync(part)
      const length = Buffer.alloc(4)
      length.writeInt32BE(block.length)
      chunks.push(length, block)
    }
    const framed = Buffer.concat(chunks)
    assert.equal(isXerialSnappy(framed), true)
    assert.deepEqual(decompress(Compression.snappy, framed), text)
    // Our writer produces the same framing.
    const ours = compressSnappyXerial(text)
    assert.deepEqual(ours.subarray(0, 16), header)
    // A block length past the end is corrupt; the bound applies across blocks.
    const cut = framed.subarray(0, framed.length - 3)
    assert.equal(
      codeOf(() => decompress(Compression.snappy, cut)),
      CorruptCompressedError.code,
    )
    assert.equal(
      codeOf(() => decompress(Compression.snappy, framed, 40_000)),
      DecompressedTooLargeError.code,
    )
  })

  it('rejects a raw snappy block whose declared length exceeds the bound before decoding it', () => {
    // Declared length 2^31 (varint), then junk: must fail on the bound, not allocate 2 GiB.
    const bomb = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x01])
    assert.equal(
      codeOf(() => decompress(Compression.snappy, bomb, 1 << 20)),
      DecompressedTooLargeError.code,
    )
  })

  it('rejects a gzip bomb beyond the bound', () => {
    const bomb = gzipSync(Buffer.alloc(10_000_000))
    assert.equal(
      codeOf(() => decompress(Compression.gzip, bomb, 1_000_000)),
      DecompressedTooLargeError.code,
    )
  })

  it('reports corrupt input of every codec as corruptCompressed', () => {
    const garbage = Buffer.from('definitely not compressed data, just some bytes')
    for (const codec of [Compression.gzip, Compression.lz4, Compression.zstd]) {
      assert.equal(
        codeOf(() => decompress(codec, garbage)),
        CorruptCompressedError.code,
        `codec ${codec}`,
      )
    }
    assert.equal(
      codeOf(() => decompress(7, garbage)),
      UnknownCodecError.code,
    )
  })

  it('decodes LZ4 frames in JavaScript exactly as the native decoder does', () => {
    for (const input of [text, noise, Buffer.concat([text, noise, text]), Buffer.alloc(0)]) {
      const frame = compress(Compression.lz4, input)
      assert.deepEqual(decompressLz4FramesPortable(frame, input.length), input)
    }
  })

  it('accepts an LZ4 frame with a wrong header checksum, as old Kafka clients wrote', () => {
    const frame = Buffer.from(compress(Compression.lz4, text))
    // The header checksum byte follows magic (4), FLG and BD; content size is absent in lz4-napi frames.
    assert.equal(frame[4] & 0x08, 0)
    frame[6] ^= 0x5a
    assert.deepEqual(decompress(Compression.lz4, frame), text)
  })

  it('bounds the LZ4 portable decoder and scans block sizes without decoding', () => {
    const frame = compress(Compression.lz4, Buffer.alloc(1_000_000))
    const layout = scanLz4Frames(frame)
    assert.ok(layout.decompressedBytesMax >= 1_000_000)
    assert.equal(
      codeOf(() => decompressLz4FramesPortable(frame, 500_000)),
      DecompressedTooLargeError.code,
    )
    assert.equal(
      codeOf(() => decompress(Compression.lz4, frame, 500_000)),
      DecompressedTooLargeError.code,
    )
  })

  it('decodes zstd without a content size in the header (streamed), bounded', () => {
    const zstd = require('zstd-napi') as { compress(input: Buffer): Buffer }
    // Two concatenated frames force the streaming path.
    const twoFrames = Buffer.concat([zstd.compress(text), zstd.compress(noise)])
    assert.deepEqual(decompress(Compression.zstd, twoFrames), Buffer.concat([text, noise]))
    assert.equal(
      codeOf(() => decompress(Compression.zstd, twoFrames, text.length)),
      DecompressedTooLargeError.code,
    )
    const truncated = twoFrames.subarray(0, twoFrames.length - 5)
    assert.equal(
      codeOf(() => decompress(Compression.zstd, truncated)),
      CorruptCompressedError.code,
    )
    // The shared context recovers after an error.
    assert.deepEqual(decompress(Compression.zstd, zstd.compress(text)), text)
  })
  it('decodes a zstd frame without a content size whose output is a multiple of 128 KiB (#7)', () => {
    // Java producers write frames without a content size; one filling the last output chunk exactly
    // was rejected as "input ends inside a frame".
    const zstd = require('zstd-napi') as {
      compress(input: Buffer, parameters: { contentSizeFlag: boolean }): Buffer
    }
    for (const bytes of [128 * 1024, 256 * 1024, 1024 * 1024]) {
      const data = Buffer.alloc(bytes)
      for (let i = 0; i < bytes; i++) data[i] = (i * 31) % 251
      const frame = zstd.compress(data, { contentSizeFlag: false })
      assert.deepEqual(decompress(Compression.zstd, frame), data, `${bytes} bytes`)
      const truncated = frame.subarray(0, frame.length - 3)
      assert.equal(
        codeOf(() => decompress(Compression.zstd, truncated)),
        CorruptCompressedError.code,
      )
    }
  })
  it('decodes overlapping LZ4 matches of every short period exactly (#7)', () => {
    const lz4 = require('lz4-napi') as { compressFrameSync(input: Buffer): Buffer }
    for (const period of [1, 2, 3, 5, 7, 16, 31, 64, 255]) {
      const pattern = Buffer.from(Array.from({ length: period }, (_, i) => (i * 37 + period) % 256))
      const input = Buffer.concat([
        Buffer.from('head'),
        Buffer.alloc(300_000 + period, pattern),
        Buffer.from('tail'),
      ])
      const frame = lz4.compressFrameSync(input)
      assert.deepEqual(decompressLz4FramesPortable(frame, input.length), input, `period ${period}`)
    }
  })

  it('decodes a 128 MiB LZ4 bomb in JavaScript in slices, pausing between them (#7)', async () => {
    // The portable decoder ran a whole bomb on one turn of the event loop (2-3 s; runs of one byte were
    // also copied a byte at a time). The async form pauses every few MiB of output.
    const lz4 = require('lz4-napi') as { compressFrameSync(input: Buffer): Buffer }
    const bytes = 128 * 1024 * 1024
    const frame = lz4.compressFrameSync(Buffer.alloc(bytes))
    assert.equal(decompressLz4FramesPortable(frame, bytes).length, bytes)
    let pauses = 0
    const sliced = await decompressLz4FramesPortableAsync(frame, bytes, scanLz4Frames(frame), async () => {
      pauses++
    })
    assert.equal(sliced.length, bytes)
    assert.ok(pauses >= 16, `paused ${pauses} times over 128 MiB`)
  })

  it('pauses inside one 4 MiB LZ4 block of many short sequences, not only between blocks (#7)', async () => {
    // Tiny records compress to about one sequence each: one 4 MiB block held up to a million of them and
    // was decoded in one go (40-75 ms, a ListOffsets or Produce per block on the event loop).
    const lz4 = require('lz4-napi') as { compressFrameSync(input: Buffer): Buffer }
    const plain = Buffer.alloc(4 * 1024 * 1024 - 64)
    for (let i = 0; i + 4 <= plain.length; i += 8) plain.writeUInt32LE((i * 2654435761) >>> 0, i)
    const frame = lz4.compressFrameSync(plain)
    const layout = scanLz4Frames(frame)
    assert.equal(layout.blocks.length, 1, 'one block')
    let pauses = 0
    const sliced = await decompressLz4FramesPortableAsync(frame, plain.length, layout, async () => {
      pauses++
    })
    assert.deepEqual(sliced, plain)
    assert.ok(pauses >= 4, `paused ${pauses} times inside one block`)
  })

  it('joins the parts of a 120 MiB zstd or xerial snappy batch in slices too (#7)', async () => {
    // The parts were joined at the end in one Buffer.concat: 120 MiB copied at once, 150-360 ms of a broker
    // under 16 zstd bombs (a bystander waited 1.1-1.8 s on a loaded machine).
    const zstd = require('zstd-napi') as { compress(input: Buffer): Buffer }
    const plain = Buffer.alloc(120 * 1024 * 1024)
    const frame = zstd.compress(plain)
    await assertEvenSlices('zstd', (pause) =>
      decompressAsync(Compression.zstd, frame, 128 * 1024 * 1024, pause),
    )
    // Xerial snappy blocks (32 KiB) are decoded on the thread pool, one turn each; only the join was one
    // piece, and it never paused.
    let pauses = 0
    const joined = await decompressAsync(
      Compression.snappy,
      compressSnappyXerial(plain),
      128 * 1024 * 1024,
      async () => {
        pauses++
      },
    )
    assert.equal(joined.length, plain.length)
    assert.ok(pauses >= 14, `snappy: the join of 120 MiB paused ${pauses} times`)
  })

  it('decodes a zstd frame that states its size into one buffer of that size: no parts joined (#7)', async () => {
    // The parts were kept until the end and joined into a second buffer: a batch was held twice over
    // (a 120 MiB batch took 240 MiB), while the broker-wide budget counted it once. Now the output is
    // allocated before the first slice and nothing grows after it (garbage collection only lowers it).
    const bytes = 64 * 1024 * 1024
    const zstd = require('zstd-napi') as { compress(input: Buffer): Buffer }
    const frame = zstd.compress(Buffer.alloc(bytes))
    const seen: number[] = []
    const out = await decompressAsync(Compression.zstd, frame, 128 * 1024 * 1024, async () => {
      seen.push(process.memoryUsage().arrayBuffers)
    })
    assert.equal(out.length, bytes)
    assert.ok(out.every((byte) => byte === 0))
    assert.ok(seen.length >= 8, `paused ${seen.length} times over 64 MiB`)
    const grown = Math.max(...seen) - seen[0]
    assert.ok(
      grown < bytes / 8,
      `${Math.round(grown / 1048576)} MiB more held at the end than at the first slice`,
    )
  })

  it('keeps no memory of decoded LZ4 or raw snappy payloads: 40 outputs of 16 MiB dropped leave the process about as large (#7)', async () => {
    // lz4-napi's and snappy's decoders kept every output they made: a broker decoding 19 MB LZ4 batches grew
    // by 19 MB at each one (1.2 GB after 60), outside the JavaScript heap and its external memory.
    const lz4 = require('lz4-napi') as { compressFrameSync(input: Buffer): Buffer }
    const bytes = 16 * 1024 * 1024
    const plain = Buffer.alloc(bytes)
    for (let i = 0; i < bytes; i += 64) plain.writeUInt32LE((i * 2654435761) >>> 0, i)
    for (const [label, codec, packed] of [
      ['lz4', Compression.lz4, lz4.compressFrameSync(plain)],
      ['snappy', Compression.snappy, compressSnappyRaw(plain)],
    ] as const) {
      const decode = () => decompressAsync(codec, packed, 128 * 1024 * 1024, async () => {})
      assert.deepEqual(await decode(), plain)
      const before = process.memoryUsage().rss
      for (let i = 0; i < 40; i++) assert.equal((await decode()).length, bytes)
      const grown = process.memoryUsage().rss - before
      assert.ok(
        grown < 10 * bytes,
        `${label}: RSS grew ${Math.round(grown / 1048576)} MiB over 640 MiB decoded`,
      )
    }
  })

  it('answers CORRUPT for snappy blocks whose copies reach outside the output or whose length is not the stated one (#7)', () => {
    const cases: [string, number[]][] = [
      ['copy before the start', [8, 0x00, 0x61, 0x05, 0x05]], // 1 literal, then a copy at offset 5
      ['copy at offset 0', [8, 0x00, 0x61, 0x0d, 0x00]],
      ['short of the stated length', [8, 0x00, 0x61]],
      ['past the stated length', [2, 0x08, 0x61, 0x62, 0x63]],
      ['literal past the input', [8, 0x1c, 0x61]],
      ['bad preamble', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ]
    for (const [label, bytes] of cases) {
      const block = Buffer.from(bytes)
      assert.equal(
        codeOf(() => decompress(Compression.snappy, block)),
        CorruptCompressedError.code,
        label,
      )
    }
    // The same elements, well placed: a literal 'a' and an overlapping copy of it seven times.
    assert.equal(
      decompress(Compression.snappy, Buffer.from([8, 0x00, 0x61, 0x0d, 0x01])).toString(),
      'aaaaaaaa',
    )
  })

  it('compresses 100 MiB to zstd in even slices, and to gzip, snappy and lz4 off the event loop (#7)', async () => {
    // A 3 KB zstd batch of a 100 MiB value, recompressed for a gzip topic, held the event loop 0.76 s.
    const plain = Buffer.alloc(100 * 1024 * 1024, 7)
    let zstdPacked: Buffer = Buffer.alloc(0)
    await assertEvenSlices('zstd', async (pause) => {
      zstdPacked = await compressAsync(Compression.zstd, plain, pause)
    })
    assert.equal(decompress(Compression.zstd, zstdPacked, plain.length).length, plain.length)
    // The main thread's own run time (Linux schedstat; the thread pool's threads are not counted).
    const mainThreadMs = () => {
      try {
        const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8')
        return Number(stat.split(' ')[0]) / 1e6
      } catch {
        return undefined
      }
    }
    for (const codec of [Compression.gzip, Compression.snappy, Compression.lz4] as const) {
      const before = mainThreadMs()
      const packed = await compressAsync(codec, plain, async () => {})
      const after = mainThreadMs()
      // gzip of 100 MiB on the main thread takes 300+ ms of CPU; joining snappy's blocks a few ms.
      if (before !== undefined && after !== undefined)
        assert.ok(
          after - before < 150,
          `codec ${codec}: the main thread ran ${Math.round(after - before)} ms`,
        )
      assert.equal(decompress(codec, packed, plain.length).length, plain.length, `codec ${codec}`)
    }
  })

  it('decodes an LZ4 bomb without growing its output: no slice much longer than the others (#7)', async () => {
    // The output grew by doubling: one slice copied up to 64 MiB besides its 4 MiB of output, 280-450 ms on
    // a loaded machine (bystanders of the fuzzer waited over 1 s); 64-74 ms of CPU against a 3 ms median.
    // Now the output is sized at once. CPU time per slice, so that a machine shared with other work does
    // not blur it.
    const lz4 = require('lz4-napi') as { compressFrameSync(input: Buffer): Buffer }
    const bytes = 128 * 1024 * 1024
    const frame = lz4.compressFrameSync(Buffer.alloc(bytes + 32 * 1024 * 1024))
    await assertEvenSlices('lz4', (pause) =>
      assert.rejects(
        decompressLz4FramesPortableAsync(frame, bytes, scanLz4Frames(frame), pause),
        DecompressedTooLargeError,
      ),
    )
  })
})
