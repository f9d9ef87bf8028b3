import { recordVoucherSales } from '../account/vouchers.ts'
import { queryPrepared, type Db, type Trx } from '../db.ts'
import { GatewayError, isTransientDbError } from '../errors.ts'
import { accountId, postBatch, type PostRequest } from '../ledger/index.ts'

interface Claimed {
  id: bigint
  provider: string
  external_id: string
  target: 'cabinet' | 'voucher'
  cabinet_id: bigint | null
  amount: bigint
  payment_code: string
  received_at: Date
}

export interface PostedPayment {
  id: bigint
  provider: string
  receivedAt: Date
  postedAt: Date
}

export interface PostRun {
  posted: PostedPayment[]
  /** Payments that could not be posted; they stay accepted for an operator. */
  failed: Array<{ id: bigint; error: Error }>
}

export interface PostOptions {
  /** Payments named by jobs: claimed first. */
  ids?: bigint[]
  /** At most this many payments in one ledger transaction. */
  limit: number
  /** Also claim other accepted payments, oldest first, up to the limit. */
  fill?: boolean
}

const columns = 'id, provider, external_id, target, cabinet_id, amount, payment_code, received_at'

// Prepared once per connection; ids go as one array whatever their number.
// SKIP LOCKED: a payment another worker is posting right now is its business.
const claimNamed = {
  name: 'payments_claim_named',
  text: `select ${columns} from payments
    where state = 'accepted' and id = any($1::bigint[])
    order by id for update skip locked`,
}

const claimOthers = {
  name: 'payments_claim_others',
  text: `select ${columns} from payments
    where state = 'accepted' and id <> all($1::bigint[])
    order by received_at limit $2 for update skip locked`,
}

const cabinetAccountsStatement = {
  name: 'accounts_of_cabinets',
  text: 'select id, cabinet_id from accounts where cabinet_id = any($1::bigint[])',
}

const markPosted = {
  name: 'payments_mark_posted',
  text: `update payments p
       set state = 'posted', ledger_transaction_id = v.tx, posted_at = now()
      from (select unnest($1::bigint[]) as id, unnest($2::bigint[]) as tx) v
     where p.id = v.id and p.state = 'accepted'
    returning p.id, p.provider, p.received_at, p.posted_at`,
}

async function claim(trx: Trx, opts: PostOptions): Promise<Claimed[]> {
  const ids = (opts.ids ?? []).slice(0, opts.limit).map(String)
  const named = ids.length === 0 ? []
    : (await queryPrepared(trx, claimNamed, [ids])).rows as unknown as Claimed[]
  const room = opts.limit - named.length
  if (!opts.fill || room <= 0) return named
  const others = (await queryPrepared(trx, claimOthers, [ids, room])).rows as unknown as Claimed[]
  return [...named, ...others]
}

async function cabinetAccounts(trx: Trx, rows: Claimed[]): Promise<Map<string, bigint>> {
  const cabinets = [...new Set(rows.filter((r) => r.cabinet_id !== null)
    .map((r) => String(r.cabinet_id)))]
  if (cabinets.length === 0) return new Map()
  const found = (await queryPrepared(trx, cabinetAccountsStatement, [cabinets]))
    .rows as Array<{ id: bigint; cabinet_id: bigint }>
  return new Map(found.map((a) => [String(a.cabinet_id), a.id]))
}

async function requests(trx: Trx, rows: Claimed[], failed: PostRun['failed'])
  : Promise<Array<{ row: Claimed; req: PostRequest }>> {
  const cabinets = await cabinetAccounts(trx, rows)
  const clearing = new Map<string, bigint>()
  let vouchers: bigint | undefined
  const out = []
  for (const row of rows) {
    if (!clearing.has(row.provider)) {
      clearing.set(row.provider, await accountId(trx, { kind: 'clearing', provider: row.provider }))
    }
    let target: bigint | undefined
    if (row.target === 'voucher') {
      vouchers ??= await accountId(trx, { kind: 'vouchers' })
      target = vouchers
    } else {
      target = cabinets.get(String(row.cabinet_id))
    }
    if (target === undefined) {
      failed.push({ id: row.id, error: new GatewayError('not_found',
        `cabinet ${row.cabinet_id} of payment ${row.id} has no account`) })
      continue
    }
    const amount = row.amount
    out.push({ row, req: {
      key: `payment:${row.id}`,
      // A payment without a cabinet buys a voucher: its code is redeemed later.
      kind: row.target === 'voucher' ? 'code_issue' as const : 'credit' as const,
      legs: [
        { account: clearing.get(row.provider) as bigint, amount: -amount },
        { account: target, amount },
      ],
      metadata: { paymentCode: row.payment_code, provider: row.provider,
        externalId: row.external_id, paymentId: row.id.toString() },
    } })
  }
  return out
}

async function postOnce(db: Db, opts: PostOptions): Promise<PostRun> {
  return db.transaction(async (trx) => {
    const failed: PostRun['failed'] = []
    const rows = await claim(trx, opts)
    if (rows.length === 0) return { posted: [], failed }
    const batch = await requests(trx, rows, failed)
    const results = await postBatch(trx, batch.map((b) => b.req))
    const done: Array<{ row: Claimed; tx: bigint }> = []
    for (const { row, req } of batch) {
      const result = results.get(req.key)
      if (result === undefined || result instanceof Error) {
        failed.push({ id: row.id, error: result ?? new GatewayError('internal',
          `ledger gave no result for ${req.key}`) })
      } else {
        done.push({ row, tx: result.transactionId })
      }
    }
    if (done.length === 0) return { posted: [], failed }
    const updated = await queryPrepared(trx, markPosted,
      [done.map((d) => String(d.row.id)), done.map((d) => String(d.tx))])
    await recordVoucherSales(trx, done.filter((d) => d.row.target === 'voucher').map((d) => ({
      paymentId: d.row.id, code: d.row.payment_code, amount: d.row.amount,
      provider: d.row.provider, transactionId: d.tx })))
    const posted = (updated.rows as Array<Record<string, unknown>>).map((r) => ({
      id: r.id as bigint, provider: r.provider as string,
      receivedAt: r.received_at as Date, postedAt: r.posted_at as Date,
    }))
    return { posted, failed }
  })
}

/**
 * Posts accepted payments to the ledger: the named ones first, then (with
 * `fill`) whatever else is waiting, in one transaction that also marks them
 * posted. The ledger key `payment:<id>` makes a repeated run harmless. When a
 * batch fails for a reason other than an outage, each payment is tried alone
 * so that one bad payment does not hold back the others.
 */
export async function postAcceptedPayments(db: Db, opts: PostOptions): Promise<PostRun> {
  try {
    return await postOnce(db, opts)
  } catch (err) {
    if (isTransientDbError(err)) throw err
    const rows = await db('payments').where({ state: 'accepted' })
      .whereIn('id', (opts.ids ?? []).slice(0, opts.limit).map(String)).pluck('id') as bigint[]
    if (rows.length === 0 || (!opts.fill && rows.length === 1)) throw err
    const run: PostRun = { posted: [], failed: [] }
    for (const id of rows) {
      try {
        const one = await postOnce(db, { ids: [id], limit: 1 })
        run.posted.push(...one.posted)
        run.failed.push(...one.failed)
      } catch (e) {
        if (isTransientDbError(e)) throw e
        run.failed.push({ id, error: e as Error })
      }
    }
    return run
  }
}
