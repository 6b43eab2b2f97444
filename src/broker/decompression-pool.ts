// The broker-wide budget of decompressed bytes in flight across all Produce requests (#7): a batch
// reserves room before it decompresses, waits in FIFO order when the room is taken, and gives it back once
// its records are checked, so that many connections sending compression bombs at once stay bounded.
import type { Clock, Timer } from '../core/index.js'
import type { DecompressionLease } from '../record-batch/index.js'

interface Waiter {
  bytes: number
  resolve: (lease: DecompressionLease | null) => void
  timer: Timer | null
}

/** A FIFO semaphore of bytes; a reservation never exceeds the whole pool, so one alone always gets room. */
export class DecompressionPool {
  private available: number
  private readonly waiters: Waiter[] = []

  constructor(
    readonly bytesMax: number,
    private readonly clock: Clock,
    private readonly waitMaxMs: number,
  ) {
    this.available = bytesMax
  }

  /** Bytes currently reserved (for tests and metrics). */
  get inUse(): number {
    return this.bytesMax - this.available
  }

  /**
   * Reserves `bytes` (capped at the pool's size); resolves with a lease, or with null once `waitMaxMs`
   * passed without room (the caller answers a retriable error).
   */
  reserve(bytes: number): Promise<DecompressionLease | null> {
    const wanted = Math.max(0, Math.min(bytes, this.bytesMax))
    if (this.waiters.length === 0 && wanted <= this.available) {
      this.available -= wanted
      return Promise.resolve(this.lease(wanted))
    }
    return new Promise((resolve) => {
      const waiter: Waiter = { bytes: wanted, resolve, timer: null }
      waiter.timer = this.clock.setTimeout(() => {
        const at = this.waiters.indexOf(waiter)
        if (at < 0) return
        this.waiters.splice(at, 1)
        resolve(null)
        // A long request at the head that gave up may let smaller ones behind it through.
        this.grant()
      }, this.waitMaxMs)
      this.waiters.push(waiter)
    })
  }

  private lease(initial: number): DecompressionLease {
    let held = initial
    return {
      bytes: initial,
      shrink: (toBytes: number) => {
        const to = Math.max(0, Math.min(held, toBytes))
        this.available += held - to
        held = to
        this.grant()
      },
      release: () => {
        this.available += held
        held = 0
        this.grant()
      },
    }
  }

  private grant(): void {
    while (this.waiters.length > 0 && this.waiters[0].bytes <= this.available) {
      const waiter = this.waiters.shift() as Waiter
      waiter.timer?.cancel()
      this.available -= waiter.bytes
      waiter.resolve(this.lease(waiter.bytes))
    }
  }
}
