import { createHash } from 'node:crypto'
import { queryPrepared, type Db, type Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { maxLegAmount, txKinds, type PostRequest, type Posted } from './types.ts'

interface Prepared {
  req: PostRequest
  fingerprint: string
  legs: PostRequest['legs']
}

interface StoredTx {
  id: bigint
  idempotency_key: string
  fingerprint: string
  created_at: Date
}

/** Checks a request and computes the fingerprint of what it asks for. */
export function prepare(req: PostRequest): Prepared {
  if (typeof req.key !== 'string' || req.key.length === 0 || req.key.length > 200) {
    throw new GatewayError('bad_request', 'idempotency key must be 1 to 200 characters')
  }
  if (!txKinds.includes(req.kind)) {
    throw new GatewayError('bad_request', `unknown transaction kind "${String(req.kind)}"`)
  }
  if (req.legs.length < 2) {
    throw new GatewayError('bad_request', 'a transaction needs at least two legs')
  }
  let sum = 0n
  const seen = new Set<bigint>()
  for (const leg of req.legs) {
    if (typeof leg.amount !== 'bigint' || leg.amount === 0n) {
      throw new GatewayError('bad_request', 'leg amounts must be non-zero bigint qəpik')
    }
    const magnitude = leg.amount < 0n ? -leg.amount : leg.amount
    if (magnitude > maxLegAmount) {
      throw new GatewayError('bad_request', 'leg amount is above the ledger maximum')
    }
    if (seen.has(leg.account)) {
      throw new GatewayError('bad_request', `account ${leg.account} appears in two legs`)
    }
    seen.add(leg.account)
    sum += leg.amount
  }
  if (sum !== 0n) {
    throw new GatewayError('bad_request', `legs must sum to zero, not ${sum}`)
  }
  // Sorted legs: a stable fingerprint, and one lock order for every posting.
  const legs = [...req.legs].sort((a, b) => (a.account < b.account ? -1 : 1))
  const meta = req.metadata ?? {}
  const canonical = JSON.stringify({
    kind: req.kind,
    legs: legs.map((l) => [l.account.toString(), l.amount.toString()]),
    metadata: Object.keys(meta).sort().map((k) => [k, meta[k]]),
    reverses: req.reverses?.toString() ?? null,
  })
  const fingerprint = createHash('sha256').update(canonical).digest('hex')
  return { req, fingerprint, legs }
}

function replayOrConflict(p: Prepared, stored: StoredTx): Posted {
  if (stored.fingerprint !== p.fingerprint) {
    throw new GatewayError('idempotency_conflict',
      `idempotency key "${p.req.key}" was already used for another transaction`,
      { key: p.req.key, transactionId: stored.id })
  }
  return { transactionId: stored.id, replayed: true, createdAt: stored.created_at }
}

function isNegativeBalance(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string }
  return e?.code === '23514' && e.constraint === 'accounts_balance_nonnegative'
}

const retryable = new Set(['40001', '40P01'])

async function inTransaction<T>(db: Db | Trx, fn: (trx: Trx) => Promise<T>): Promise<T> {
  // Inside a caller's transaction we use a savepoint, so a refused posting
  // leaves the caller's transaction usable.
  if (db.isTransaction) return (db as Trx).transaction(fn)
  for (let attempt = 1; ; attempt++) {
    try {
      return await (db as Db).transaction(fn)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (!code || !retryable.has(code) || attempt >= 5) throw err
    }
  }
}

type EntryRow = { transaction_id: bigint; account_id: bigint; amount: bigint }

const entriesPerStatement = 2000

// Prepared once per connection, with one array per column: the same text
// for any number of rows.
const insertEntriesStatement = {
  name: 'ledger_insert_entries',
  text: `insert into ledger_entries (transaction_id, account_id, amount)
    select * from unnest($1::bigint[], $2::bigint[], $3::bigint[])`,
}

const txByKeysStatement = {
  name: 'ledger_tx_by_keys',
  text: `select id, idempotency_key, fingerprint, created_at from ledger_transactions
    where idempotency_key = any($1::text[])`,
}

const insertTxStatement = {
  name: 'ledger_insert_tx',
  text: `insert into ledger_transactions (idempotency_key, kind, fingerprint, metadata,
      reverses_id)
    select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[])
    on conflict (idempotency_key) do nothing
    returning id, idempotency_key, created_at`,
}

async function txByKeys(trx: Trx, keys: string[]): Promise<StoredTx[]> {
  return (await queryPrepared(trx, txByKeysStatement, [keys])).rows as unknown as StoredTx[]
}

const lockAccountsStatement = {
  name: 'ledger_lock_accounts',
  text: `select 1 from accounts where tracked and id = any($1::bigint[])
    order by id for no key update`,
}

// The database checks balance per INSERT statement, so a statement carries
// every leg of the transactions it holds; chunks split only between them.
// Each statement's trigger locks its own accounts in id order; when a batch
// needs several statements, all its accounts are locked in id order first,
// or two batches could each hold what the other's next statement needs.
async function insertEntries(trx: Trx, rows: EntryRow[]): Promise<void> {
  const chunks: EntryRow[][] = []
  let chunk: EntryRow[] = []
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as EntryRow
    chunk.push(row)
    const next = rows[i + 1]
    if (chunk.length >= entriesPerStatement && next?.transaction_id !== row.transaction_id) {
      chunks.push(chunk)
      chunk = []
    }
  }
  if (chunk.length) chunks.push(chunk)
  if (chunks.length > 1) {
    const accounts = [...new Set(rows.map((r) => r.account_id.toString()))]
    await queryPrepared(trx, lockAccountsStatement, [accounts])
  }
  for (const c of chunks) {
    await queryPrepared(trx, insertEntriesStatement, [
      c.map((r) => r.transaction_id.toString()),
      c.map((r) => r.account_id.toString()),
      c.map((r) => r.amount.toString())])
  }
}

/**
 * Posts one transaction, exactly once per key. The same key with the same
 * content returns the first result; other content is a conflict. A tracked
 * account that would go below zero refuses the whole posting.
 */
export async function post(db: Db | Trx, req: PostRequest): Promise<Posted> {
  const p = prepare(req)
  try {
    return await inTransaction(db, async (trx) => {
      const existing = await trx('ledger_transactions')
        .where({ idempotency_key: req.key }).first() as StoredTx | undefined
      if (existing) return replayOrConflict(p, existing)
      // A concurrent inserter of the same key makes this insert wait for its
      // commit, after which we see its row instead of inserting a second one.
      const [created] = await trx('ledger_transactions')
        .insert({ idempotency_key: req.key, kind: req.kind, fingerprint: p.fingerprint,
          metadata: req.metadata ?? {}, reverses_id: req.reverses ?? null })
        .onConflict('idempotency_key').ignore()
        .returning(['id', 'created_at']) as Array<{ id: bigint; created_at: Date }>
      if (!created) {
        const winner = await trx('ledger_transactions')
          .where({ idempotency_key: req.key }).first() as StoredTx
        return replayOrConflict(p, winner)
      }
      await insertEntries(trx, p.legs.map((l) =>
        ({ transaction_id: created.id, account_id: l.account, amount: l.amount })))
      return { transactionId: created.id, replayed: false, createdAt: created.created_at }
    })
  } catch (err) {
    if (isNegativeBalance(err)) {
      throw new GatewayError('insufficient_funds', 'insufficient funds', { key: req.key })
    }
    throw err
  }
}

/**
 * Posts many transactions in a few statements inside the caller's transaction:
 * the credits worker's path, where one commit carries a whole batch. Keys that
 * were posted before replay; a key with other content maps to its conflict.
 */
export async function postBatch(
  trx: Trx,
  reqs: PostRequest[],
): Promise<Map<string, Posted | GatewayError>> {
  const results = new Map<string, Posted | GatewayError>()
  const byKey = new Map<string, Prepared>()
  for (const req of reqs) {
    const p = prepare(req)
    const twin = byKey.get(req.key)
    if (twin && twin.fingerprint !== p.fingerprint) {
      results.set(req.key, new GatewayError('idempotency_conflict',
        `idempotency key "${req.key}" appears twice in a batch with other content`))
    }
    if (!twin) byKey.set(req.key, p)
  }
  const settle = (stored: StoredTx[]) => {
    for (const s of stored) {
      const p = byKey.get(s.idempotency_key)
      if (!p || results.has(s.idempotency_key)) continue
      try {
        results.set(s.idempotency_key, replayOrConflict(p, s))
      } catch (err) {
        results.set(s.idempotency_key, err as GatewayError)
      }
    }
  }
  settle(await txByKeys(trx, [...byKey.keys()]))

  const fresh = [...byKey.values()].filter((p) => !results.has(p.req.key))
  if (fresh.length === 0) return results
  const created: Array<{ id: bigint; idempotency_key: string; created_at: Date }> = []
  for (let i = 0; i < fresh.length; i += 1000) {
    const chunk = fresh.slice(i, i + 1000)
    const { rows } = await queryPrepared(trx, insertTxStatement, [
      chunk.map((p) => p.req.key), chunk.map((p) => p.req.kind), chunk.map((p) => p.fingerprint),
      chunk.map((p) => JSON.stringify(p.req.metadata ?? {})),
      chunk.map((p) => p.req.reverses?.toString() ?? null)])
    created.push(...rows as Array<{ id: bigint; idempotency_key: string; created_at: Date }>)
  }
  const entries: EntryRow[] = []
  for (const c of created) {
    const p = byKey.get(c.idempotency_key) as Prepared
    results.set(c.idempotency_key,
      { transactionId: c.id, replayed: false, createdAt: c.created_at })
    for (const l of p.legs) {
      entries.push({ transaction_id: c.id, account_id: l.account, amount: l.amount })
    }
  }
  try {
    await insertEntries(trx, entries)
  } catch (err) {
    if (isNegativeBalance(err)) {
      throw new GatewayError('insufficient_funds', 'a posting in the batch lacks funds')
    }
    throw err
  }
  const lost = fresh.filter((p) => !results.has(p.req.key)).map((p) => p.req.key)
  if (lost.length) settle(await txByKeys(trx, lost))
  return results
}
