// The session of one client connection: who the client is (id, listener, address, principal, software),
// an in-order sequencer for work that must follow request order, and a close hook. ServerConnection owns
// one and hands it to every request; handlers keep per-connection state here instead of in module maps.

/** Where authentication stands; everything is 'anonymous' until SASL exists. */
export type AuthenticationState = 'anonymous' | 'authenticating' | 'authenticated' | 'failed'

/** Connection ids are unique for the life of the process, across brokers and listeners in it. */
let lastSessionId = 0

export interface SessionOptions {
  /** Name of the listener the connection arrived on (Kafka's listener name, e.g. 'PLAINTEXT'). */
  listener: string
  /** The client's address as 'host:port'. */
  remoteAddress: string
  /** The client's host alone. */
  remoteHost: string
}

/**
 * Per-connection state. The close hook fires once, when the connection starts closing, whatever the
 * cause (client gone, bad frame, limit, broker shutdown); callbacks registered after that run at once.
 */
export class Session {
  /** Process-wide unique connection id (never reused, not restarted per broker). */
  readonly id: number
  readonly listener: string
  readonly remoteAddress: string
  readonly remoteHost: string
  /** Kafka principal; 'User:ANONYMOUS' until authentication exists. */
  principal = 'User:ANONYMOUS'
  authentication: AuthenticationState = 'anonymous'
  /** From ApiVersions v3+ (KIP-511), once the client has sent valid values. */
  clientSoftwareName: string | undefined
  clientSoftwareVersion: string | undefined
  readonly #abort = new AbortController()
  readonly #closeCallbacks = new Set<() => void>()
  /** Tail of the sequenced tasks; undefined when none is pending. */
  #sequenceTail: Promise<unknown> | undefined

  constructor(options: SessionOptions) {
    this.id = ++lastSessionId
    this.listener = options.listener
    this.remoteAddress = options.remoteAddress
    this.remoteHost = options.remoteHost
  }

  /** True once the connection has started closing. */
  get isClosed(): boolean {
    return this.#abort.signal.aborted
  }

  /** Aborted when the connection starts closing: pass it to waits that should end with the connection. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  /**
   * Calls `callback` once when the connection starts closing (at once if it has). Returns a function that
   * unregisters it; call that when the work it guards ends, so long-lived sessions do not collect hooks.
   */
  onClose(callback: () => void): () => void {
    if (this.isClosed) {
      callback()
      return () => {}
    }
    this.#closeCallbacks.add(callback)
    return () => {
      this.#closeCallbacks.delete(callback)
    }
  }

  /**
   * Runs `task` after every task sequenced before it on this session has settled, so work of pipelined
   * requests happens in request order even when an earlier request awaits (the append phase of Produce:
   * an idempotent producer's sequences must reach the log in order). A failed task does not stop the next.
   */
  sequence<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.#sequenceTail
    const run = previous === undefined ? task() : previous.then(task, task)
    this.#sequenceTail = run
    const forget = () => {
      if (this.#sequenceTail === run) this.#sequenceTail = undefined
    }
    run.then(forget, forget)
    return run
  }

  /** Called by the connection when it starts closing: fires the close hook once. */
  markClosed(): void {
    if (this.isClosed) return
    this.#abort.abort()
    const callbacks = [...this.#closeCallbacks]
    this.#closeCallbacks.clear()
    for (const callback of callbacks) callback()
  }
}
