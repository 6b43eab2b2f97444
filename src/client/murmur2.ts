// The default partitioner's hash: 32-bit MurmurHash2 with Kafka's seed, so that a keyed record lands on
// the same partition as with the Java client (and librdkafka's murmur2_random, kafka-python...).

const M = 0x5bd1e995
const SEED = 0x9747b28c

/** MurmurHash2 (32-bit) of `data` with Kafka's seed, as a signed int32 like Java's `Utils.murmur2`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const blocks = length >> 2
  for (let i = 0; i < blocks; i++) {
    const at = i << 2
    let k = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = blocks << 2
  const rest = length & 3
  // The last 1-3 bytes mix in from the highest down, then one multiply.
  if (rest === 3) h ^= data[tail + 2] << 16
  if (rest >= 2) h ^= data[tail + 1] << 8
  if (rest >= 1) {
    h ^= data[tail]
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** The partition of a keyed record among `partitionCount`, as Java's default partitioner picks it. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount
}
