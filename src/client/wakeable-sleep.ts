// The pause a membership loop takes between heartbeats: it ends after `delayMs` on the clock, or at once when
// the loop is woken (a leave, a close, a subscription change), whichever comes first.
import type { Clock } from '../core/index.js'

/**
 * Sleeps `delayMs` ms on `clock`; `setWake` receives the function that ends the sleep early and is handed
 * `undefined` once the sleep is over, so a late wake does nothing.
 */
export async function wakeableSleep(
  clock: Clock,
  delayMs: number,
  setWake: (wake: (() => void) | undefined) => void,
): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, delayMs)
    setWake(() => {
      timer.cancel()
      resolve()
    })
  })
  setWake(undefined)
}
