// Network: connections, framing, in-order responses and backpressure.
export { ByteBudget } from './byte-budget.js'
export { FrameDecoder, type FrameReserve } from './frame-decoder.js'
export { NetworkServer, type NetworkServerOptions } from './network-server.js'
export { type FrameHandler, ServerConnection, type ServerConnectionOptions } from './server-connection.js'
export { type AuthenticationState, Session, type SessionOptions } from './session.js'
export {
  AbortError,
  type ClientApi,
  ClientConnection,
  type ClientConnectionOptions,
  ConnectionError,
  type OpenOptions,
  type RequestOptions,
  RequestTimeoutError,
  UnsupportedVersionError,
} from './client-connection.js'
