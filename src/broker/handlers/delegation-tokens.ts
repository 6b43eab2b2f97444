// Delegation tokens and SCRAM credentials: Brook has no SASL, so every connection is what Kafka calls a
// PLAINTEXT channel. Kafka refuses delegation-token requests on such a channel
// (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, with its message), and so does Brook. No user has SCRAM credentials
// (Describe lists none; a named user is RESOURCE_NOT_FOUND as on Kafka), and storing one is refused with
// UNSUPPORTED_SASL_MECHANISM: Brook could never authenticate with it.
import { quoted } from '../../core/index.js'
import {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  CreateDelegationTokenRequest,
  CreateDelegationTokenResponse,
  DescribeDelegationTokenRequest,
  DescribeDelegationTokenResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  ErrorCode,
  ExpireDelegationTokenRequest,
  ExpireDelegationTokenResponse,
  RenewDelegationTokenRequest,
  RenewDelegationTokenResponse,
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

const EMPTY = Buffer.alloc(0)

export const createDelegationToken = defineHandler({
  request: CreateDelegationTokenRequest,
  response: CreateDelegationTokenResponse,
  versions: { min: 1, max: 3 },
  handle(_request, context) {
    const [principalType, principalName] = splitPrincipal(context.session.principal)
    return {
      errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      principalType,
      principalName,
      tokenRequesterPrincipalType: principalType,
      tokenRequesterPrincipalName: principalName,
      hmac: EMPTY,
      throttleTimeMs: 0,
    }
  },
})

export const renewDelegationToken = defineHandler({
  request: RenewDelegationTokenRequest,
  response: RenewDelegationTokenResponse,
  versions: { min: 1, max: 2 },
  handle() {
    return {
      errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      expiryTimestampMs: -1,
      throttleTimeMs: 0,
    }
  },
})

export const expireDelegationToken = defineHandler({
  request: ExpireDelegationTokenRequest,
  response: ExpireDelegationTokenResponse,
  versions: { min: 1, max: 2 },
  handle() {
    return {
      errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      expiryTimestampMs: -1,
      throttleTimeMs: 0,
    }
  },
})

export const describeDelegationToken = defineHandler({
  request: DescribeDelegationTokenRequest,
  response: DescribeDelegationTokenResponse,
  versions: { min: 1, max: 3 },
  handle() {
    return { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, tokens: [], throttleTimeMs: 0 }
  },
})

export const describeUserScramCredentials = defineHandler({
  request: DescribeUserScramCredentialsRequest,
  response: DescribeUserScramCredentialsResponse,
  versions: { min: 0, max: 0 },
  handle(request) {
    const users = [...new Set((request.users ?? []).map((user) => user.name))]
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results: users.map((user) => ({
        user,
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: `Attempt to describe a user credential that does not exist: ${quoted(user)}`,
        credentialInfos: [],
      })),
    }
  },
})

export const alterUserScramCredentials = defineHandler({
  request: AlterUserScramCredentialsRequest,
  response: AlterUserScramCredentialsResponse,
  versions: { min: 0, max: 0 },
  handle(request) {
    const results = new Map<string, { errorCode: number; errorMessage: string | null }>()
    for (const deletion of request.deletions)
      results.set(deletion.name, {
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: `Attempt to delete a user credential that does not exist: ${quoted(deletion.name)}`,
      })
    for (const upsertion of request.upsertions)
      results.set(upsertion.name, {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        errorMessage:
          'Brook has no SASL authentication, so it stores no SCRAM credentials (#9); nothing was changed.',
      })
    return { throttleTimeMs: 0, results: [...results].map(([user, result]) => ({ user, ...result })) }
  },
})

/** "User:alice" as ["User", "alice"]. */
function splitPrincipal(principal: string): [string, string] {
  const colon = principal.indexOf(':')
  return colon < 0 ? ['User', principal] : [principal.slice(0, colon), principal.slice(colon + 1)]
}
