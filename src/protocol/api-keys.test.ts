// Checks the API-key table: keys 0 through 94, each once, and names looked up from keys.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiKey, apiKeyName } from './api-keys.js'

describe('ApiKey', () => {
  it('holds keys 0 through 94 exactly once', () => {
    const keys = Object.values(ApiKey).sort((a, b) => a - b)
    assert.deepEqual(
      keys,
      Array.from({ length: 95 }, (_, index) => index),
    )
  })

  it('names keys as Kafka does', () => {
    assert.equal(ApiKey.Produce, 0)
    assert.equal(ApiKey.ApiVersions, 18)
    assert.equal(ApiKey.ShareAcknowledge, 79)
    assert.equal(apiKeyName(3), 'Metadata')
    assert.equal(apiKeyName(500), 'Unknown(500)')
  })
})
