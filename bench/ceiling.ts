import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cpuSnapshot, cpuSpent, type CpuSpent } from './cpu.ts'
import { dbUrl, dropBenchDb, freshBenchDb } from './lib.ts'

/**
 * The machine's ceiling: single-row inserts, each its own committed
 * transaction, with a unique text key, as pgbench runs them at a given
 * number of clients. Returns transactions per second by the number asked
 * for, with the CPU each insert cost; past Postgres' connection limit
 * pgbench runs `maxClients` clients.
 */
export async function insertCeiling(clients: number[], seconds = 8, maxClients = 64)
  : Promise<Map<number, { perSecond: number; cpu?: CpuSpent }>> {
  const name = 'cg_bench_ceiling'
  const { db } = await freshBenchDb(name, 2)
  await db.raw(`create table bench_insert (id bigserial primary key, idem text unique not null,
    amount bigint not null)`)
  await db.destroy()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-pgbench-'))
  const script = path.join(dir, 'insert.sql')
  writeFileSync(script, `insert into bench_insert (idem, amount)
    values (md5(random()::text || clock_timestamp()::text), 1045);\n`)
  const out = new Map<number, { perSecond: number; cpu?: CpuSpent }>()
  const groups = { postgres: (_: number, comm: string) => comm === 'postgres' }
  const url = new URL(dbUrl(name))
  for (const c of clients) {
    const before = cpuSnapshot(groups)
    const text = execFileSync('pgbench', ['-n', '-h', url.hostname, '-p', url.port || '5432',
      '-U', url.username || 'postgres', '-f', script,
      '-c', String(Math.min(c, maxClients)), '-j', '2',
      '-T', String(seconds), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(text)
    const after = cpuSnapshot(groups)
    const perSecond = tps ? Number(tps[1]) : NaN
    // pgbench's own process has ended by now: its time shows under `other`.
    out.set(c, { perSecond, cpu: cpuSpent(before, after, Math.round(perSecond * seconds)) })
  }
  await dropBenchDb(name)
  return out
}
