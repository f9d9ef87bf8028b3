import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import pg from 'pg'
import { createDb, ensureDatabase, migrateLatest, type Db } from '../src/db.ts'

export const benchBase = process.env.BENCH_DATABASE_URL
  ?? 'postgres://postgres@127.0.0.1:5432/cg_bench'

export function dbUrl(name: string): string {
  const u = new URL(benchBase)
  u.pathname = `/${name}`
  return u.toString()
}

/** Drops and re-creates a benchmark database, migrated. */
export async function freshBenchDb(name: string, poolMax = 20): Promise<{ db: Db; url: string }> {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') })
  await admin.connect()
  await admin.query(`drop database if exists "${name}" with (force)`)
  await admin.end()
  const url = dbUrl(name)
  await ensureDatabase(url)
  const db = createDb(url, { min: 0, max: poolMax })
  await migrateLatest(db)
  return { db, url }
}

export async function dropBenchDb(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') })
  await admin.connect()
  await admin.query(`drop database if exists "${name}" with (force)`)
  await admin.end()
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, i)] as number
}

export function machine(): Record<string, string | number> {
  let pgVersion = ''
  try {
    pgVersion = execFileSync('psql', ['-At', '-h', '127.0.0.1', '-U', 'postgres', '-c',
      'show server_version'], { encoding: 'utf8' }).trim()
  } catch {
    pgVersion = 'unknown'
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgVersion,
    date: new Date().toISOString(),
  }
}

export interface Figure {
  name: string
  value: number
  unit: string
  target?: string
  pass?: boolean
}

export function report(title: string, figures: Figure[], file: string): void {
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(`bench/results/${file}`, JSON.stringify({ title, machine: machine(),
    figures }, null, 2))
  const rows = figures.map((f) => {
    const v = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2)
    const verdict = f.pass === undefined ? '' : f.pass ? 'ok' : 'BELOW TARGET'
    return `${f.name.padEnd(52)} ${v.padStart(12)} ${f.unit.padEnd(10)} ${
      (f.target ?? '').padEnd(12)} ${verdict}`
  })
  process.stdout.write(`\n${title}\n${rows.join('\n')}\n(bench/results/${file})\n`)
}
