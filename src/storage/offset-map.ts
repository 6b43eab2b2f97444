// The log cleaner's key map: for each record key in the dirty part of a log, the offset of its latest
// record. A fixed-size open-addressing table of (128-bit hash of the key, offset) slots in one Buffer, so
// its memory is bounded by log.cleaner.dedupe.buffer.size however many keys a log holds.

/** Bytes per slot: a 16-byte key hash and an 8-byte offset. */
export const OFFSET_MAP_SLOT_BYTES = 24
/** At most this share of the slots is filled (probing stays short), as Kafka's cleaner does. */
export const OFFSET_MAP_LOAD_FACTOR = 0.9
/** Default of log.cleaner.dedupe.buffer.size (Kafka's: 128 MiB). */
export const CLEANER_DEDUPE_BUFFER_BYTES_DEFAULT = 128 * 1024 * 1024

const hashBytes = 16

/** Seeds of the four 32-bit lanes of a key's hash. */
const laneSeeds = [0x9747b28c, 0x1b873593, 0x85ebca6b, 0xc2b2ae35] as const

/** MurmurHash3 (x86, 32-bit) of `bytes` with `seed`. */
function murmur32(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0
  const blocks = bytes.length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  const tail = bytes.length & 3
  if (tail > 0) {
    let k = bytes[blocks]
    if (tail > 1) k ^= bytes[blocks + 1] << 8
    if (tail > 2) k ^= bytes[blocks + 2] << 16
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
  }
  h ^= bytes.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Key hash to latest offset. Two keys with the same 128-bit hash count as one (Kafka's cleaner accepts
 * the same with MD5); for keys not crafted to collide the chance is negligible. Offsets are non-negative
 * safe integers.
 */
export class OffsetMap {
  readonly #slots: Buffer
  readonly #slotCount: number
  #size = 0

  /** A map of at most `bufferBytes` bytes, sized for about `expectedKeys` keys (fewer slots when few). */
  constructor(bufferBytes: number, expectedKeys: number = Number.MAX_SAFE_INTEGER) {
    const maxSlots = Math.floor(bufferBytes / OFFSET_MAP_SLOT_BYTES)
    if (maxSlots < 2) throw new RangeError(`dedupe buffer of ${bufferBytes} bytes holds under two slots`)
    const wanted = Math.ceil(Math.max(16, expectedKeys) / OFFSET_MAP_LOAD_FACTOR) + 1
    this.#slotCount = Math.min(maxSlots, wanted)
    // An all-zero hash marks an empty slot (`hash` never returns one).
    this.#slots = Buffer.alloc(this.#slotCount * OFFSET_MAP_SLOT_BYTES)
  }

  /** Keys the map accepts before it counts as full. */
  get capacity(): number {
    // One slot always stays empty, so a probe for a missing key ends.
    return Math.max(1, Math.min(this.#slotCount - 1, Math.floor(this.#slotCount * OFFSET_MAP_LOAD_FACTOR)))
  }

  get size(): number {
    return this.#size
  }

  /** Bytes of memory held by the table. */
  get bufferBytes(): number {
    return this.#slots.length
  }

  /** The hash the map files `key` under. */
  static hash(key: Buffer): Buffer {
    const digest = Buffer.allocUnsafe(hashBytes)
    for (let lane = 0; lane < 4; lane++) digest.writeUInt32BE(murmur32(key, laneSeeds[lane]), lane * 4)
    if (digest.every((b) => b === 0)) digest[0] = 1
    return digest
  }

  /** Records `offset` as the latest for the key hashed to `hash`; false when full and the key is new. */
  put(hash: Buffer, offset: number): boolean {
    const slot = this.#find(hash)
    const at = slot * OFFSET_MAP_SLOT_BYTES
    if (this.#slots[at] === 0 && this.#isEmpty(at)) {
      if (this.#size >= this.capacity) return false
      hash.copy(this.#slots, at, 0, hashBytes)
      this.#size++
    }
    this.#slots.writeDoubleBE(offset, at + hashBytes)
    return true
  }

  /** The latest offset recorded for the key hashed to `hash`, or -1. */
  get(hash: Buffer): number {
    const at = this.#find(hash) * OFFSET_MAP_SLOT_BYTES
    if (this.#isEmpty(at)) return -1
    return this.#slots.readDoubleBE(at + hashBytes)
  }

  #isEmpty(at: number): boolean {
    for (let i = 0; i < hashBytes; i++) if (this.#slots[at + i] !== 0) return false
    return true
  }

  /** The slot holding `hash`, or the empty slot where it would go (linear probing). */
  #find(hash: Buffer): number {
    let slot = hash.readUInt32BE(0) % this.#slotCount
    for (;;) {
      const at = slot * OFFSET_MAP_SLOT_BYTES
      if (this.#isEmpty(at) || this.#slots.compare(hash, 0, hashBytes, at, at + hashBytes) === 0) return slot
      slot = slot + 1 === this.#slotCount ? 0 : slot + 1
    }
  }
}
