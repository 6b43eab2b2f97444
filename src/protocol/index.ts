// Protocol: the Kafka wire format with no I/O. Reader/Writer, message definitions for every version,
// compiled codecs, request/response headers, API keys and error codes.
export { ApiKey, apiKeyName } from './api-keys.js'
export {
  ANSWER_BYTES_MAX_DEFAULT,
  type ApiMessages,
  type RequestHeader,
  allApis,
  apiByKey,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeResponseFrameInSlices,
  ANSWER_SLICE_BYTES,
  readRequestHeader,
  requestCodec,
  responseCodec,
  skipHeaderTags,
} from './api-codecs.js'
export { type MessageCodec, compileMessage } from './compile.js'
export { ErrorCode, errorName, retriable } from './error-codes.js'
export * from './messages/index.js'
export { Reader, REQUEST_ELEMENTS_MAX_DEFAULT, ZERO_UUID } from './reader.js'
export {
  type FieldDef,
  type MessageDef,
  type MessageInput,
  type MessageValue,
  type StructValue,
  defineMessage,
  inVersions,
  versionBounds,
} from './schema.js'
export { Writer } from './writer.js'
