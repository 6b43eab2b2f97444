// Checks the error-code table: complete from -1 through 136, one name per code, names looked up both ways.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode, errorName, retriable } from './error-codes.js'

describe('ErrorCode', () => {
  it('holds every code from -1 through 136 exactly once', () => {
    const codes = Object.values(ErrorCode).sort((a, b) => a - b)
    assert.equal(codes.length, 138)
    for (const [index, code] of codes.entries()) assert.equal(code, index - 1)
  })

  it('names codes as Kafka does', () => {
    assert.equal(errorName(-1), 'UNKNOWN_SERVER_ERROR')
    assert.equal(errorName(0), 'NONE')
    assert.equal(errorName(6), 'NOT_LEADER_OR_FOLLOWER')
    assert.equal(errorName(35), 'UNSUPPORTED_VERSION')
    assert.equal(errorName(79), 'MEMBER_ID_REQUIRED')
    assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100)
    assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE(9999)')
  })

  it('marks transient errors retriable and permanent ones not', () => {
    assert.ok(retriable.has(ErrorCode.NOT_LEADER_OR_FOLLOWER))
    assert.ok(retriable.has(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
    assert.ok(retriable.has(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS))
    assert.ok(!retriable.has(ErrorCode.NONE))
    assert.ok(!retriable.has(ErrorCode.TOPIC_AUTHORIZATION_FAILED))
    assert.ok(!retriable.has(ErrorCode.MESSAGE_TOO_LARGE))
  })
})
