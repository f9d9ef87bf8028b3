import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '../src/db.ts'

export interface GatewayProcess {
  child: ChildProcess
  port: number
  url: string
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `src/main.ts` as its own process and waits until /healthz answers. */
export async function startGateway(env: Record<string, string>, port: number)
  : Promise<GatewayProcess> {
  const child = spawn(process.execPath, [
    ...(process.env.GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    '--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (env.ROLE !== 'worker') {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`)
      try {
        const res = await fetch(`${url}/healthz`)
        if (res.ok) break
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error('gateway did not start within 30 s')
      await sleep(100)
    }
  } else {
    await sleep(1500)
  }
  return {
    child, port, url,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      await exited
    },
  }
}

/** Cabinets straight into the tables (no registry, no password hashing). */
export async function seedCabinets(db: Db, count: number): Promise<string[]> {
  await db.raw(`insert into cabinets (number, document_series, document_number, document, fin,
      surname, name, patronymic, sex, birth_date, citizenship)
    select 100000000 + g, '-', 'AA' || lpad(g::text, 7, '0'), 'AA' || lpad(g::text, 7, '0'),
      lpad(g::text, 7, '0'), 'SOYAD', 'AD', 'ATA', 'male', '1990-01-01', 'AZE'
    from generate_series(1, ?) g`, [count])
  await db.raw(`insert into accounts (kind, code, cabinet_id, tracked, allow_negative)
    select 'cabinet', 'cabinet:' || id, id, true, false from cabinets`)
  return Array.from({ length: count }, (_, i) => `AA${String(i + 1).padStart(7, '0')}`)
}

/** Waits until no payment is left accepted; returns the milliseconds it took. */
export async function untilPosted(db: Db, limitMs = 300_000): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    const row = await db('payments').where({ state: 'accepted' }).count({ n: '*' }).first()
    if (Number(row?.n ?? 0) === 0) return Date.now() - t0
    if (Date.now() - t0 > limitMs) throw new Error('payments still unposted after the limit')
    await sleep(50)
  }
}
