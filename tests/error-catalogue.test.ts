// Keeps the error catalogue of src/core/errors.ts whole: one class per BROOK_ERR_* code, every code used
// anywhere in the repository is in it, and no error class with a code is declared outside it.
import { deepEqual, equal, ok } from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { BrookError, brookErrorClasses } from '../src/core/index.js'

const root = path.resolve(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full))
    else if (name.endsWith('.ts')) out.push(full)
  }
  return out
}

test('each catalogued class has its own BROOK_ERR_ code, its own name, and builds a BrookError (#7)', () => {
  const codes = brookErrorClasses.map((cls) => cls.code)
  deepEqual([...new Set(codes)], codes, 'codes are unique')
  for (const cls of brookErrorClasses) {
    ok(/^BROOK_ERR_[A-Z0-9_]+$/.test(cls.code), cls.code)
    const error = new cls('message')
    ok(error instanceof BrookError)
    equal(error.code, cls.code)
    equal(error.name, cls.name)
    equal(error.message, 'message')
  }
})

test('every BROOK_ERR_ code in src, tests and bench is in the catalogue, and classes live only there (#7)', () => {
  const known = new Set<string>(brookErrorClasses.map((cls) => cls.code))
  const files = ['src', 'tests', 'bench'].flatMap((dir) => sourceFiles(path.join(root, dir)))
  ok(files.length > 50, `found ${files.length} source files under ${root}`)
  const unknown: string[] = []
  const strays: string[] = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const relative = path.relative(root, file)
    for (const match of text.matchAll(/BROOK_ERR_[A-Z0-9_]*[A-Z0-9]/g)) {
      if (!known.has(match[0])) unknown.push(`${relative}: ${match[0]}`)
    }
    const exempt = [path.join('src', 'core', 'errors.ts'), path.join('tests', 'error-catalogue.test.ts')]
    if (!exempt.includes(relative) && /extends BrookError\b/.test(text)) {
      strays.push(relative)
    }
  }
  deepEqual(unknown, [], 'codes missing from src/core/errors.ts')
  deepEqual(strays, [], 'error classes declared outside src/core/errors.ts')
})
