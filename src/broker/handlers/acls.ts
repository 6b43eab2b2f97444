// DescribeAcls, CreateAcls, DeleteAcls: Brook has no authorizer, so it answers as a Kafka broker without
// one (no authorizer.class.name): SECURITY_DISABLED, with Kafka's messages, and nothing is stored.
// `kafka-acls.sh --list` then fails as it fails on such a Kafka.
import {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
  ErrorCode,
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Kafka 4.4 serves v1-3 of the three ACL APIs. */
const versions = { min: 1, max: 3 }

export const describeAcls = defineHandler({
  request: DescribeAclsRequest,
  response: DescribeAclsResponse,
  versions,
  handle() {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: 'No Authorizer is configured on the broker',
      resources: [],
    }
  },
})

export const createAcls = defineHandler({
  request: CreateAclsRequest,
  response: CreateAclsResponse,
  versions,
  handle(request) {
    return {
      throttleTimeMs: 0,
      results: request.creations.map(() => ({
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: 'No Authorizer is configured.',
      })),
    }
  },
})

export const deleteAcls = defineHandler({
  request: DeleteAclsRequest,
  response: DeleteAclsResponse,
  versions,
  handle(request) {
    return {
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: 'No Authorizer is configured.',
        matchingAcls: [],
      })),
    }
  },
})
