// What a handler is: the API it serves, the versions it implements, and a function from decoded request
// to response body. ApiVersions is derived from the table of handlers, so nothing is advertised that is
// not implemented.
import type { Session } from '../network/index.js'
import type { MessageDef, MessageInput, MessageValue, RequestHeader } from '../protocol/index.js'
import type { BrokerContext } from './broker-context.js'

/** Per-request facts a handler may need besides the body. */
export interface RequestContext {
  readonly header: RequestHeader
  /**
   * The connection's session: its process-wide unique id, client address, principal, client software,
   * the in-order sequencer and the close hook (long polls end when their connection closes).
   */
  readonly session: Session
  readonly broker: BrokerContext
}

/**
 * Returned by a handler to close the connection instead of answering: Kafka does this when a Produce
 * with acks=0 fails, since the client expects no response and would otherwise never learn of the error.
 */
export const CLOSE_CONNECTION: unique symbol = Symbol('close connection')

export interface Handler<Req extends MessageDef = MessageDef, Res extends MessageDef = MessageDef> {
  readonly request: Req
  readonly response: Res
  readonly apiKey: number
  /** Versions advertised, inclusive. */
  readonly versions: { readonly min: number; readonly max: number }
  /**
   * The handler checks its int64 fields itself and may see values beyond ±(2^53-1) (rounded; see
   * `Reader.int64`). Without this, a request holding one closes the connection.
   */
  readonly acceptsUnsafeInt64?: boolean
  /** Versions advertised but answered with an error (see Produce v0-2), inclusive; optional. */
  readonly rejectBelow?: number
  /** Returns the response body, null to send no response (Produce with acks=0), or CLOSE_CONNECTION. */
  handle(
    request: MessageValue<Req>,
    context: RequestContext,
  ):
    | Promise<MessageInput<Res> | null | typeof CLOSE_CONNECTION>
    | MessageInput<Res>
    | null
    | typeof CLOSE_CONNECTION
}

/** Declares a handler, keeping its request and response types. */
export function defineHandler<Req extends MessageDef, Res extends MessageDef>(
  handler: Omit<Handler<Req, Res>, 'apiKey'> & { apiKey?: number },
): Handler<Req, Res> {
  return { ...handler, apiKey: handler.apiKey ?? handler.request.apiKey }
}
