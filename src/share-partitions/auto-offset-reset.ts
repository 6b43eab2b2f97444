// `share.auto.offset.reset`: where a share-partition starts when its group first reads it (KIP-932:
// `latest` by default, `earliest`, or `by_duration:<ISO-8601 duration>` back from now).

/** A parsed `share.auto.offset.reset` value. */
export type ShareAutoOffsetReset =
  | { readonly kind: 'latest' }
  | { readonly kind: 'earliest' }
  | { readonly kind: 'by-duration'; readonly durationMs: number }

/** The default of `share.auto.offset.reset`. */
export const SHARE_AUTO_OFFSET_RESET_DEFAULT = 'latest'

// Java's Duration.parse form without signs: PnDTnHnMn.nS (days, hours, minutes, seconds).
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?)?$/i

/** Parses a value (case-insensitive, as Kafka's validator); null when it is not a valid one. */
export function parseShareAutoOffsetReset(value: string): ShareAutoOffsetReset | null {
  const lower = value.trim().toLowerCase()
  if (lower === 'latest') return { kind: 'latest' }
  if (lower === 'earliest') return { kind: 'earliest' }
  if (!lower.startsWith('by_duration:')) return null
  const text = value.trim().slice('by_duration:'.length)
  const match = DURATION.exec(text)
  if (match === null || text === 'P' || text.toUpperCase().endsWith('T')) return null
  const [, days, hours, minutes, seconds, fraction] = match
  const durationMs =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.floor(Number(`0.${fraction ?? '0'}`) * 1000)
  return Number.isSafeInteger(durationMs) ? { kind: 'by-duration', durationMs } : null
}

/**
 * Where a new share-partition starts under `reset` at `nowMs` (epoch ms): the log start, the log end
 * (high watermark), or the first offset with a timestamp at or after `timestampMs` (ListOffsets by
 * time; the log end when there is none). The broker does the lookup.
 */
export type ShareStartTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly timestampMs: number }

export function shareStartTarget(reset: ShareAutoOffsetReset, nowMs: number): ShareStartTarget {
  if (reset.kind === 'by-duration') return { kind: 'timestamp', timestampMs: nowMs - reset.durationMs }
  return { kind: reset.kind }
}
