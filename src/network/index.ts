// Network: connections, framing, in-order responses and backpressure.
export { FrameDecoder } from './frame-decoder.js'
export { type FrameHandler, ServerConnection, type ServerConnectionOptions } from './server-connection.js'
export { type AuthenticationState, Session, type SessionOptions } from './session.js'
