import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { dbUrl, dropBenchDb, freshBenchDb } from './lib.ts'

/**
 * The machine's ceiling: single-row inserts, each its own committed
 * transaction, with a unique text key, as pgbench runs them at a given
 * number of clients. Returns transactions per second by the number asked
 * for; past Postgres' connection limit pgbench runs `maxClients` clients.
 */
export async function insertCeiling(clients: number[], seconds = 8, maxClients = 64)
  : Promise<Map<number, number>> {
  const name = 'cg_bench_ceiling'
  const { db } = await freshBenchDb(name, 2)
  await db.raw(`create table bench_insert (id bigserial primary key, idem text unique not null,
    amount bigint not null)`)
  await db.destroy()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-pgbench-'))
  const script = path.join(dir, 'insert.sql')
  writeFileSync(script, `insert into bench_insert (idem, amount)
    values (md5(random()::text || clock_timestamp()::text), 1045);\n`)
  const out = new Map<number, number>()
  const url = new URL(dbUrl(name))
  for (const c of clients) {
    const text = execFileSync('pgbench', ['-n', '-h', url.hostname, '-p', url.port || '5432',
      '-U', url.username || 'postgres', '-f', script,
      '-c', String(Math.min(c, maxClients)), '-j', '2',
      '-T', String(seconds), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(text)
    out.set(c, tps ? Number(tps[1]) : NaN)
  }
  await dropBenchDb(name)
  return out
}
