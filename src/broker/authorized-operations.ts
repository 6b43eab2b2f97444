// Authorized operations as Kafka reports them in Metadata, DescribeCluster, DescribeGroups and
// ConsumerGroupDescribe (KIP-430). Brook has no authorizer and no ACLs, so every operation a resource type
// supports is allowed: the answer Kafka gives with an allow-all authorizer, and without one.

/** Kafka's AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const

/** Integer.MIN_VALUE: the request did not ask for authorized operations. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

/** Bit `code` set for each operation, as Kafka's `Utils.to32BitField`. */
function bitField(operations: readonly number[]): number {
  let field = 0
  for (const code of operations) field |= 1 << code
  return field
}

const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS } =
  AclOperation

/**
 * The operations each resource type supports, as Kafka 4.4 reports them for one with every operation
 * allowed (measured with Admin.describeTopics/describeCluster/describeConsumerGroups against Kafka 4.4).
 */
export const authorizedOperationsField = {
  topic: bitField([READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS]),
  cluster: bitField([
    CREATE,
    CLUSTER_ACTION,
    DESCRIBE_CONFIGS,
    ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    ALTER,
    DESCRIBE,
  ]),
  group: bitField([READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS]),
} as const

/** The field to answer: the resource's operations when the client asked for them, otherwise OMITTED. */
export function authorizedOperations(
  resource: keyof typeof authorizedOperationsField,
  requested: boolean,
): number {
  return requested ? authorizedOperationsField[resource] : AUTHORIZED_OPERATIONS_OMITTED
}
