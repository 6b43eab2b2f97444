import { equal } from 'node:assert/strict'
import { test } from 'node:test'
import { murmur2, partitionForKey } from './murmur2.js'

// Expected values computed with kafka-python 3.0.12's murmur2 (the Java client's algorithm), e.g.
//   .cache/venv/bin/python -c "from kafka.partitioner.default import murmur2; print(murmur2(b'hello'))"
// kafka-python prints the hash as unsigned; Java's int is the same 32 bits.
const vectors: Array<[Buffer, number, number]> = [
  [Buffer.from(''), 275646681, 3],
  [Buffer.from('a'), 2731586172, 4],
  [Buffer.from('ab'), 316155434, 2],
  [Buffer.from('abc'), 479470107, 3],
  [Buffer.from('abcd'), 2971317748, 2],
  [Buffer.from('hello'), 2132663229, 3],
  [Buffer.from('user-42'), 1459644460, 4],
  [Buffer.from([0xff, 0xfe, 0x80, 0x00, 0x7f]), 2692397976, 4],
  [Buffer.from('ключ'), 2122343024, 2],
  [Buffer.from('the quick brown fox jumps over the lazy dog'), 3404900616, 4],
]

test('murmur2 matches the Java client for every tail length and high bytes', () => {
  for (const [key, hash, partitionOf6] of vectors) {
    equal(murmur2(key) >>> 0, hash, `hash of ${key.toString('hex')}`)
    equal(partitionForKey(key, 6), partitionOf6, `partition of ${key.toString('hex')} among 6`)
  }
})
