// Runs the real `brook` binary (node bin/brook.js …) as a child process with optional stdin, and gives back
// its exit code, stdout and stderr; a run that outlives its time limit is killed and fails the test.
import { spawn } from 'node:child_process'
import { brookBinPath } from '../integration/brook-process.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export function runBrook(
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [brookBinPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const timeoutMs = options.timeoutMs ?? 30000
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `brook ${args.join(' ')} ran longer than ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      )
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.stdin ?? '')
  })
}
