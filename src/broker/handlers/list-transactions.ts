// ListTransactions: the transactional ids this coordinator knows, filtered by state, producer id, time
// running (v1+) and an RE2 pattern the whole id must match (v2+); kafka-transactions.sh list and
// find-hanging. State filters that name no state are answered back in unknownStateFilters.
import { RE2JS } from 're2js'
import { ErrorCode, ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Longest pattern and largest compiled program accepted (as for subscription regexes): matching is linear. */
const PATTERN_LENGTH_MAX = 1024
const PATTERN_PROGRAM_MAX = 10_000

/** The pattern as a whole-id matcher, or null when it is refused. */
function compilePattern(source: string): ((id: string) => boolean) | null {
  if (source.length > PATTERN_LENGTH_MAX) return null
  try {
    const pattern = RE2JS.compile(source)
    if (pattern.programSize() > PATTERN_PROGRAM_MAX) return null
    return (id) => pattern.matches(id)
  } catch {
    return null
  }
}

export const listTransactions = defineHandler({
  request: ListTransactionsRequest,
  response: ListTransactionsResponse,
  versions: { min: 0, max: 2 },
  handle(request, context) {
    let idMatches: ((id: string) => boolean) | undefined
    if (request.transactionalIdPattern !== null && request.transactionalIdPattern !== '') {
      const compiled = compilePattern(request.transactionalIdPattern)
      if (compiled === null) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
          unknownStateFilters: [],
          transactionStates: [],
        }
      }
      idMatches = compiled
    }
    const { transactions, unknownStates } = context.broker.transactions.list({
      states: request.stateFilters,
      producerIds: request.producerIdFilters,
      durationMs: request.durationFilter,
      idMatches,
    })
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: unknownStates,
      transactionStates: transactions.map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        transactionState: t.state,
      })),
    }
  },
})
