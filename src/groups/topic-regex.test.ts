// Subscription regexes: RE2 semantics with whole-name matching, linear-time matching, and the caps.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileTopicRegex, TOPIC_REGEX_LENGTH_MAX, TOPIC_REGEX_PROGRAM_MAX } from './topic-regex.js'

function compiled(source: string) {
  const result = compileTopicRegex(source)
  assert.ok(result.ok, `${source} should compile`)
  return result.regex
}

describe('topic regexes (#7)', () => {
  it('match the whole topic name, as Kafka does', () => {
    const regex = compiled('logs-.*|metrics')
    assert.equal(regex.matches('logs-a'), true)
    assert.equal(regex.matches('metrics'), true)
    assert.equal(regex.matches('xlogs-a'), false)
    assert.equal(regex.matches('metrics2'), false)
  })

  it('refuse what only a backtracking engine can run: backreferences and lookaround', () => {
    // RE2 has neither, so accepting them would mean a different engine; refusing them is the
    // construction that keeps matching linear in the topic name's length.
    for (const source of ['(a)\\1', '(?=a)a', '(?!a)b', '(?<=a)b', 'a++']) {
      const result = compileTopicRegex(source)
      assert.equal(result.ok, false, source)
    }
  })

  it('#7 ReDoS: (a+)+ against long non-matching names finishes quickly (loose guard)', () => {
    const regex = compiled('(a+)+')
    const startedMs = performance.now()
    // A backtracking engine needs about 2^25 steps for the 26-character name alone.
    assert.equal(regex.matches(`${'a'.repeat(25)}-`), false)
    assert.equal(regex.matches(`${'a'.repeat(248)}-`), false)
    assert.equal(regex.matches('a'.repeat(249)), true)
    assert.ok(performance.now() - startedMs < 2000)
  })

  it('refuse patterns longer than TOPIC_REGEX_LENGTH_MAX', () => {
    assert.equal(compileTopicRegex('a'.repeat(TOPIC_REGEX_LENGTH_MAX)).ok, true)
    const result = compileTopicRegex('a'.repeat(TOPIC_REGEX_LENGTH_MAX + 1))
    assert.equal(result.ok, false)
    assert.match(!result.ok ? result.message : '', /at most 1024/)
  })

  it('refuse patterns compiling to more than TOPIC_REGEX_PROGRAM_MAX instructions', () => {
    // 99 characters, but each bounded repeat expands to about 2000 instructions.
    const result = compileTopicRegex('a{1,1000}'.repeat(11))
    assert.equal(result.ok, false)
    assert.match(!result.ok ? result.message : '', new RegExp(`at most ${TOPIC_REGEX_PROGRAM_MAX}`))
    assert.equal(compileTopicRegex('a{1,1000}').ok, true)
  })

  it('refuse syntax errors with the parser message', () => {
    const result = compileTopicRegex('(a')
    assert.equal(result.ok, false)
    assert.match(!result.ok ? result.message : '', /missing closing \)/)
  })
})
