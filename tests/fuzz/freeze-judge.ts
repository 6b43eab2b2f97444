// When a bystander's wait counts as a freeze: the broker's main thread must have run (on a CPU, not waiting
// for one) for most of the bound while the bystander waited, so that a machine shared with other work,
// where a busy broker spends much of its time runnable but not running, does not pass for a frozen broker.
import { readFileSync } from 'node:fs'

/** Share of the freeze bound the broker's main thread must have run during a wait for it to be a freeze. */
export const FREEZE_RUN_FRACTION = 0.7

/**
 * CPU time the main thread (task id = pid) of process `pid` has run, in ms (schedstat's first field;
 * the time spent waiting for a CPU is its second and is not counted). Undefined off Linux.
 */
export function mainThreadRunMs(pid: number): number | undefined {
  try {
    const runNs = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0])
    return Number.isFinite(runNs) ? runNs / 1e6 : undefined
  } catch {
    return undefined
  }
}

/** A wait as the judge sees it: how long, and how much the broker's main thread ran meanwhile. */
export interface Wait {
  ageMs: number
  /** Undefined when the broker's run time cannot be read: the wait alone decides. */
  brokerRanMs: number | undefined
}

/**
 * 'freeze': the wait passed `freezeMs` and the broker ran at least FREEZE_RUN_FRACTION of `freezeMs`
 * meanwhile (it was busy with other work for that long); 'slow': the wait passed the bound but the broker
 * mostly did not run (an overloaded machine, or waiting for I/O; reported, not a failure, and it may turn
 * into a freeze while the wait goes on); 'ok' otherwise.
 */
export function judgeWait(wait: Wait, freezeMs: number): 'freeze' | 'slow' | 'ok' {
  if (wait.ageMs <= freezeMs) return 'ok'
  if (wait.brokerRanMs === undefined || wait.brokerRanMs >= FREEZE_RUN_FRACTION * freezeMs) return 'freeze'
  return 'slow'
}
