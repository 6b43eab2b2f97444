// The feature levels this broker supports and has finalized (KIP-584), as ApiVersions v3+ advertises them
// and UpdateFeatures answers. One node, nothing to upgrade or downgrade: each level is fixed, so the
// supported range is that one level and the finalized level is it. A feature Brook lacks is absent.

/** One feature: the levels Brook supports (inclusive) and the level in force. */
export interface FeatureLevel {
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  readonly finalizedLevel: number
  /** What the level means for Brook (the reason it is what it is). */
  readonly meaning: string
}

/**
 * The one table of features. transaction.version 2 (KIP-890 part 2) is served by the transaction
 * coordinator (src/transactions/): Produce v12 adds partitions implicitly, TxnOffsetCommit v5 adds groups,
 * EndTxn v5 bumps the epoch. Kafka 4.4 also has kraft.version (no KRaft quorum here), streams.version (no streams
 * groups, KIP-1071) and eligible.leader.replicas.version (no replication, so no ELR): absent, as level 0.
 */
export const features: readonly FeatureLevel[] = [
  {
    name: 'metadata.version',
    minVersion: 33,
    maxVersion: 33,
    finalizedLevel: 33,
    meaning: '4.4-IV2: the protocol of Kafka 4.4; no KRaft metadata log to upgrade',
  },
  {
    name: 'group.version',
    minVersion: 1,
    maxVersion: 1,
    finalizedLevel: 1,
    meaning: 'the consumer rebalance protocol (KIP-848) is served; it cannot be turned off',
  },
  {
    name: 'transaction.version',
    minVersion: 2,
    maxVersion: 2,
    finalizedLevel: 2,
    meaning:
      'transactions v2 (KIP-890): the epoch is bumped by every EndTxn and Produce/TxnOffsetCommit add partitions and groups themselves; clients that do not use it keep the classic protocol',
  },
  {
    name: 'share.version',
    minVersion: 2,
    maxVersion: 2,
    finalizedLevel: 2,
    meaning:
      'share groups (KIP-932) with dead-letter topics (KIP-1191) are served; they cannot be turned off',
  },
]

/**
 * The finalized features' epoch. Kafka uses the offset of the metadata record that last changed them;
 * Brook's never change, so it is a constant (not -1, which tells clients that nothing is finalized).
 */
export const FINALIZED_FEATURES_EPOCH = 0

/** The feature of that name, or undefined. */
export function feature(name: string): FeatureLevel | undefined {
  return features.find((candidate) => candidate.name === name)
}
