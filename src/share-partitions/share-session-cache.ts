// Share sessions (KIP-932): per (group, member) the set of share-partitions a member fetches and the
// epoch its next ShareFetch/ShareAcknowledge must carry; bounded by `group.share.max.share.sessions`.
import { assert } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'

/** Epoch that opens a session (full ShareFetch) and epoch that closes it (final request). */
export const SHARE_SESSION_OPEN_EPOCH = 0
export const SHARE_SESSION_CLOSE_EPOCH = -1

/** Default of `group.share.max.share.sessions` (Kafka 4.4). */
export const SHARE_SESSIONS_MAX_DEFAULT = 2000

/** One share session. Partitions are `topicId:partition` strings. */
export interface ShareSession {
  readonly groupId: string
  readonly memberId: string
  /** The connection that opened it; its close ends the session (the broker releases the locks). */
  readonly connectionId: number
  /** The epoch the next request must carry. */
  nextEpoch: number
  readonly partitions: Set<string>
}

export interface ShareSessionResult {
  readonly errorCode: number
  readonly errorMessage: string | null
  /** The session after the request (for a close: the session just removed), null on error. */
  readonly session: ShareSession | null
}

const sessionKey = (groupId: string, memberId: string): string => `${groupId}\u0000${memberId}`

function nextEpochAfter(epoch: number): number {
  // Epochs wrap to 1 after the largest int32, never to 0 (open) or negatives (close).
  return epoch >= 0x7fffffff ? 1 : epoch + 1
}

/** All share sessions of the broker. Methods run on the event loop. */
export class ShareSessionCache {
  readonly #sessions = new Map<string, ShareSession>()
  readonly #sessionsMax: number

  constructor(sessionsMax = SHARE_SESSIONS_MAX_DEFAULT) {
    assert(Number.isSafeInteger(sessionsMax) && sessionsMax > 0, 'share sessions max')
    this.#sessionsMax = sessionsMax
  }

  get size(): number {
    return this.#sessions.size
  }

  get(groupId: string, memberId: string): ShareSession | undefined {
    return this.#sessions.get(sessionKey(groupId, memberId))
  }

  /**
   * Applies a ShareFetch's session epoch. Epoch 0 opens a session (replacing the member's old one, whose
   * partitions the caller releases); a positive epoch must be the session's next one and updates its
   * partitions; -1 closes it. `added` and `forgotten` are `topicId:partition` strings.
   */
  fetch(
    groupId: string,
    memberId: string,
    epoch: number,
    connectionId: number,
    added: readonly string[],
    forgotten: readonly string[],
  ): ShareSessionResult & { readonly replaced: ShareSession | null } {
    const key = sessionKey(groupId, memberId)
    const existing = this.#sessions.get(key)
    if (epoch === SHARE_SESSION_OPEN_EPOCH) {
      if (existing === undefined && this.#sessions.size >= this.#sessionsMax)
        return {
          ...error(ErrorCode.SHARE_SESSION_LIMIT_REACHED, `${this.#sessionsMax} share sessions are open`),
          replaced: null,
        }
      if (existing !== undefined) this.#sessions.delete(key)
      const session: ShareSession = {
        groupId,
        memberId,
        connectionId,
        nextEpoch: 1,
        partitions: new Set(added),
      }
      this.#sessions.set(key, session)
      return { errorCode: ErrorCode.NONE, errorMessage: null, session, replaced: existing ?? null }
    }
    const checked = this.#check(existing, epoch)
    if (checked.session === null) return { ...checked, replaced: null }
    const session = checked.session
    if (epoch === SHARE_SESSION_CLOSE_EPOCH) {
      this.#sessions.delete(key)
      return { ...checked, replaced: null }
    }
    for (const partition of added) session.partitions.add(partition)
    for (const partition of forgotten) session.partitions.delete(partition)
    session.nextEpoch = nextEpochAfter(session.nextEpoch)
    return { ...checked, replaced: null }
  }

  /**
   * Applies a ShareAcknowledge's session epoch: it cannot open a session (epoch 0 is
   * INVALID_SHARE_SESSION_EPOCH); a positive epoch must be the next one; -1 closes the session.
   */
  acknowledge(groupId: string, memberId: string, epoch: number): ShareSessionResult {
    const key = sessionKey(groupId, memberId)
    const existing = this.#sessions.get(key)
    if (epoch === SHARE_SESSION_OPEN_EPOCH)
      return error(ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'ShareAcknowledge cannot open a share session')
    const checked = this.#check(existing, epoch)
    if (checked.session === null) return checked
    if (epoch === SHARE_SESSION_CLOSE_EPOCH) this.#sessions.delete(key)
    else checked.session.nextEpoch = nextEpochAfter(checked.session.nextEpoch)
    return checked
  }

  /** True while the member has an open share session. */
  has(groupId: string, memberId: string): boolean {
    return this.#sessions.has(sessionKey(groupId, memberId))
  }

  /** Removes and returns every session opened on `connectionId` (the connection closed). */
  removeConnection(connectionId: number): ShareSession[] {
    const removed: ShareSession[] = []
    for (const [key, session] of this.#sessions)
      if (session.connectionId === connectionId) {
        this.#sessions.delete(key)
        removed.push(session)
      }
    return removed
  }

  /** Removes and returns the member's session (it left the group or its session timed out). */
  removeMember(groupId: string, memberId: string): ShareSession | undefined {
    const key = sessionKey(groupId, memberId)
    const session = this.#sessions.get(key)
    this.#sessions.delete(key)
    return session
  }

  #check(existing: ShareSession | undefined, epoch: number): ShareSessionResult {
    if (existing === undefined)
      return error(ErrorCode.SHARE_SESSION_NOT_FOUND, 'no share session for this member')
    if (epoch !== SHARE_SESSION_CLOSE_EPOCH && epoch !== existing.nextEpoch)
      return error(
        ErrorCode.INVALID_SHARE_SESSION_EPOCH,
        `share session epoch ${epoch}, expected ${existing.nextEpoch}`,
      )
    return { errorCode: ErrorCode.NONE, errorMessage: null, session: existing }
  }
}

function error(errorCode: number, errorMessage: string): ShareSessionResult {
  return { errorCode, errorMessage, session: null }
}
