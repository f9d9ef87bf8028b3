import { randomInt } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { Db } from '../db.ts'
import type { ProvidersFile } from '../providers.ts'

let serial = randomInt(1_000_000_000)

/** A payment row as the terminal inbox leaves it, with the provider's time given in UTC. */
export async function paymentFactory(db: Db, p: {
  provider: string
  externalId: string
  cabinetId: bigint
  payerRef: string
  amount: bigint
  providerTime: string | null
  receivedAt?: string
  state?: 'accepted' | 'posted' | 'reversed'
  source?: 'terminal' | 'card' | 'operator'
}): Promise<bigint> {
  // Captured now: concurrent calls move the counter while this one awaits.
  const own = ++serial
  let txId: bigint | null = null
  if (p.state && p.state !== 'accepted') {
    const [tx] = await db('ledger_transactions').insert({ idempotency_key: `test-${own}`,
      kind: 'credit', fingerprint: 'test' }).returning('id')
    txId = tx.id
  }
  const [row] = await db('payments').insert({
    provider: p.provider,
    external_id: p.externalId,
    source: p.source ?? 'terminal',
    payer_ref: p.payerRef,
    cabinet_id: p.cabinetId,
    amount: p.amount,
    fingerprint: 'test',
    provider_time_raw: p.providerTime,
    provider_time: p.providerTime,
    received_at: p.receivedAt ?? p.providerTime ?? new Date().toISOString(),
    state: p.state ?? 'accepted',
    payment_code: String(own).padStart(15, '0'),
    ledger_transaction_id: txId,
  }).returning('id')
  return row.id as bigint
}

/** A providers file holding the given providers, each with a registry option. */
export function providersWith(entries: Record<string, { timeZone?: string;
  registry?: Record<string, string> }>): ProvidersFile {
  return {
    providers: Object.fromEntries(Object.entries(entries).map(([id, e]) => [id,
      { protocol: 'osmp', enabled: true, timeZone: e.timeZone ?? 'Asia/Baku',
        ...(e.registry ? { registry: e.registry } : {}) }])),
    clients: {},
  }
}

/** Writes a registry into a fresh temporary folder and returns its path. */
export function registryFile(name: string, text: string | Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cg-recon-'))
  const file = path.join(dir, name)
  writeFileSync(file, text)
  return file
}

/** A writable stream that keeps what was written, for asserting reports. */
export class Sink extends Writable {
  private chunks: Buffer[] = []
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk))
    done()
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}
