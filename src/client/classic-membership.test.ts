import { deepEqual } from 'node:assert/strict'
import { test } from 'node:test'
import {
  assignRange,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './classic-membership.js'

test('the range assignor gives contiguous ranges in member-id order, the first members one more', () => {
  const result = assignRange(
    [
      { memberId: 'b', topics: ['t', 'u'] },
      { memberId: 'a', topics: ['t'] },
    ],
    new Map([
      ['t', 5],
      ['u', 2],
    ]),
  )
  deepEqual(
    result.get('a'),
    [0, 1, 2].map((partition) => ({ topic: 't', partition })),
  )
  deepEqual(result.get('b'), [
    { topic: 't', partition: 3 },
    { topic: 't', partition: 4 },
    { topic: 'u', partition: 0 },
    { topic: 'u', partition: 1 },
  ])
})

test('consumer protocol subscriptions and assignments round-trip', () => {
  deepEqual(decodeSubscription(encodeSubscription(['a', 'bc'])), ['a', 'bc'])
  const assignment = [
    { topic: 'a', partition: 2 },
    { topic: 'a', partition: 0 },
    { topic: 'b', partition: 1 },
  ]
  deepEqual(decodeAssignment(encodeAssignment(assignment)), assignment)
  deepEqual(decodeAssignment(Buffer.alloc(0)), [])
})
