// The crash-safe end of a log clean. Cleaned segments are written as `<base>.log.cleaned` and synced; then
// the `cleaner-swap` file naming each cleaned segment and the segments it replaces is written atomically
// (the commit point); then old files are removed (or kept as `.deleted` for file.delete.delay.ms) and each
// cleaned file renamed over its first segment.
// Recovery finishes a swap whose file exists (every step is idempotent) and drops cleaned files without one,
// so a crash at any point leaves the log as before the clean or as after it.
import { FileNotFoundError, type FileSystem } from '../core/index.js'
import { segmentStem } from './log-segment.js'

/** Suffix of a deleted segment's files waiting out file.delete.delay.ms; any left are removed at open. */
export const DELETED_SUFFIX = '.deleted'

/** Names of the cleaner's files in a partition directory. */
export const CleanerFiles = {
  swap: 'cleaner-swap',
  checkpoint: 'cleaner-offset-checkpoint',
  cleanedSuffix: '.log.cleaned',
} as const

/** One cleaned segment: it takes the place of `replaces` (ascending base offsets, the first is `baseOffset`). */
export interface CleanerSwapGroup {
  baseOffset: number
  replaces: number[]
}

/** What a committed clean changes: its groups and the new cleaner checkpoint (first dirty offset). */
export interface CleanerSwap {
  groups: CleanerSwapGroup[]
  checkpoint: number
}

/** Path of the cleaned file that will become segment `baseOffset`. */
export function cleanedSegmentPath(dir: string, baseOffset: number): string {
  return `${dir}/${segmentStem(baseOffset)}${CleanerFiles.cleanedSuffix}`
}

/** Commits a clean: after this returns, recovery completes the swap whatever happens. */
export async function commitCleanerSwap(fs: FileSystem, dir: string, swap: CleanerSwap): Promise<void> {
  await fs.writeFileAtomic(`${dir}/${CleanerFiles.swap}`, Buffer.from(JSON.stringify(swap)))
}

/**
 * Carries out a committed swap: removes the replaced segments' files (the first one's log is replaced by
 * the rename), renames each cleaned file into place, saves the checkpoint, then drops the swap file.
 * Idempotent: safe to run again after a crash in the middle. With `keepDeleted` (file.delete.delay.ms above
 * 0) the replaced files are renamed `<name>.deleted` instead of removed, the first one's log too, and their
 * paths returned for the caller to remove after the delay; recovery removes any left at open.
 */
export async function finishCleanerSwap(
  fs: FileSystem,
  dir: string,
  swap: CleanerSwap,
  keepDeleted = false,
): Promise<string[]> {
  const kept: string[] = []
  const drop = async (path: string) => {
    if (!keepDeleted) return fs.remove(path)
    if (!(await fs.exists(path))) return
    await fs.rename(path, `${path}${DELETED_SUFFIX}`)
    kept.push(`${path}${DELETED_SUFFIX}`)
  }
  for (const group of swap.groups) {
    const cleaned = cleanedSegmentPath(dir, group.baseOffset)
    if (!(await fs.exists(cleaned))) continue
    for (const base of group.replaces) {
      const stem = `${dir}/${segmentStem(base)}`
      // The old indexes go first: a stale one must never be adopted for the cleaned file.
      await drop(`${stem}.index`)
      await drop(`${stem}.timeindex`)
      // The first one's log is replaced by the rename below, or kept aside first: a crash in between
      // leaves the swap file and the cleaned file, and recovery finishes the rename.
      if (base !== group.baseOffset || keepDeleted) await drop(`${stem}.log`)
    }
    await fs.rename(cleaned, `${dir}/${segmentStem(group.baseOffset)}.log`)
  }
  await writeCleanerCheckpoint(fs, dir, swap.checkpoint)
  await fs.remove(`${dir}/${CleanerFiles.swap}`)
  return kept
}

/** Saves the first dirty offset (the cleaner resumes there). */
export async function writeCleanerCheckpoint(fs: FileSystem, dir: string, offset: number): Promise<void> {
  await fs.writeFileAtomic(`${dir}/${CleanerFiles.checkpoint}`, Buffer.from(`${offset}\n`))
}

/**
 * At open, before segments are listed: finishes a committed swap and removes cleaned files of a clean
 * that never committed. Returns the cleaner checkpoint (0 when none was saved).
 */
export async function recoverCleanerFiles(
  fs: FileSystem,
  dir: string,
  names: readonly string[],
): Promise<number> {
  if (names.includes(CleanerFiles.swap)) {
    const swap = parseSwap(await fs.readFile(`${dir}/${CleanerFiles.swap}`))
    // writeFileAtomic makes a torn swap file impossible; an unreadable one is not ours to guess at.
    if (swap === undefined) throw new Error(`unreadable ${CleanerFiles.swap} in ${dir}`)
    await finishCleanerSwap(fs, dir, swap)
  }
  for (const name of await fs.list(dir))
    if (name.endsWith(CleanerFiles.cleanedSuffix)) await fs.remove(`${dir}/${name}`)
  try {
    const parsed = Number((await fs.readFile(`${dir}/${CleanerFiles.checkpoint}`)).toString('utf8').trim())
    return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : 0
  } catch (error) {
    if (error instanceof FileNotFoundError) return 0
    throw error
  }
}

function parseSwap(bytes: Buffer): CleanerSwap | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as CleanerSwap
    if (!Number.isSafeInteger(parsed.checkpoint) || !Array.isArray(parsed.groups)) return undefined
    for (const group of parsed.groups) {
      if (!Number.isSafeInteger(group.baseOffset) || !Array.isArray(group.replaces)) return undefined
      if (group.replaces[0] !== group.baseOffset || !group.replaces.every(Number.isSafeInteger))
        return undefined
    }
    return parsed
  } catch {
    return undefined
  }
}
