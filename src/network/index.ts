// Network: connections, framing, in-order responses and backpressure.
export { ByteBudget } from './byte-budget.js'
export { FrameDecoder, type FrameReserve } from './frame-decoder.js'
export { NetworkServer, type NetworkServerOptions } from './network-server.js'
export { type FrameHandler, ServerConnection, type ServerConnectionOptions } from './server-connection.js'
export { type AuthenticationState, Session, type SessionOptions } from './session.js'
export {
  type ClientApi,
  ClientConnection,
  type ClientConnectionOptions,
  type OpenOptions,
  type RequestOptions,
} from './client-connection.js'
// The client connection's errors live in core's catalogue; re-exported for the SDK's convenience.
export { AbortError, ConnectionError, RequestTimeoutError, UnsupportedVersionError } from '../core/index.js'
