import type { Trx } from '../db.ts'
import { isGatewayError } from '../errors.ts'
import type { Qepik } from '../money.ts'
import { normaliseRef, resolvePayer, type PayerMode } from '../payers/index.ts'
import { receivePayment, type InboxDeps } from '../payments/inbox.ts'

/** A registry line we hold no payment for, to be credited on the operator's word. */
export interface MissingPayment {
  provider: string
  externalId: string
  account: string
  amount: Qepik
  /** Provider-local `YYYY-MM-DD HH:MM:SS` and the instant it names. */
  localTime: string
  at: Date
  runId: bigint
  operator: string
}

export type CreditOutcome =
  | { status: 'credited' | 'already' }
  | { status: 'refused'; reason: string }

/** Credits one missing payment; idempotent per provider and transaction id. */
export type CreditPort = (p: MissingPayment) => Promise<CreditOutcome>

export interface ApplyResult {
  credited: number
  alreadyCredited: number
  refused: number
  markedForReview: number
}

/**
 * The inbox path every protocol takes: the payment row is committed with
 * source 'operator' and the credits worker posts it, exactly once.
 */
export function inboxCredit(deps: InboxDeps, payerMode: PayerMode = 'either'): CreditPort {
  return async (p) => {
    let cabinetId: bigint
    try {
      cabinetId = (await resolvePayer(deps.db, p.account, payerMode)).cabinetId
    } catch (err) {
      if (isGatewayError(err)) return { status: 'refused', reason: `${err.code}: ${err.message}` }
      throw err
    }
    const outcome = await receivePayment(deps, {
      provider: p.provider,
      externalId: p.externalId,
      source: 'operator',
      payerRef: p.account,
      account: normaliseRef(p.account),
      cabinetId,
      amount: p.amount,
      providerTimeRaw: p.localTime,
      providerTime: p.at,
      metadata: { approvedBy: p.operator, reconciliationRun: p.runId.toString() },
    })
    if (outcome.status === 'accepted') return { status: 'credited' }
    if (outcome.status === 'replayed') return { status: 'already' }
    return { status: 'refused', reason: 'payment_mismatch: the id is used by another payment' }
  }
}

/**
 * Credits what is missing ours and marks every other discrepancy for review.
 * Running it again changes nothing: credits are keyed by provider and
 * transaction id, reviews by provider, day, category and item.
 */
export async function applyRun(trx: Trx, run: { id: bigint; provider: string; day: string;
  operator: string }, credit: CreditPort): Promise<ApplyResult> {
  const result: ApplyResult = { credited: 0, alreadyCredited: 0, refused: 0, markedForReview: 0 }
  let after = ''
  for (;;) {
    const { rows } = await trx.raw(`select r.external_id, r.theirs_account, r.theirs_amount,
        to_char(r.theirs_local, 'YYYY-MM-DD HH24:MI:SS') as local_time, t.at
      from recon_result r join recon_theirs t on t.external_id = r.external_id
      where r.category = 'missing_ours' and r.external_id > ?
      order by r.external_id limit 500`, [after])
    if (!rows.length) break
    for (const r of rows) {
      after = r.external_id
      const outcome = await credit({ provider: run.provider, externalId: r.external_id,
        account: r.theirs_account, amount: r.theirs_amount, localTime: r.local_time, at: r.at,
        runId: run.id, operator: run.operator })
      if (outcome.status === 'refused') {
        result.refused++
        await trx.raw(`update recon_result set related = ?
          where category = 'missing_ours' and external_id = ?`, [outcome.reason, r.external_id])
      } else if (outcome.status === 'credited') {
        result.credited++
      } else {
        result.alreadyCredited++
      }
    }
  }
  result.markedForReview = await markForReview(trx, run)
  return result
}

async function markForReview(trx: Trx, run: { id: bigint; provider: string; day: string })
  : Promise<number> {
  const { rowCount } = await trx.raw(`insert into reconciliation_reviews as v
      (provider, day, category, item_key, external_id, payment_id, line, theirs_amount,
       ours_amount, details, first_run_id, last_run_id)
    select :provider, :day::date, category,
      case when category = 'duplicate_theirs' then external_id || '@' || line
           else external_id end,
      external_id, payment_id, line, theirs_amount, ours_amount,
      jsonb_strip_nulls(jsonb_build_object('theirsAccount', theirs_account,
        'oursPayer', ours_payer, 'oursState', ours_state, 'note', related)),
      :run::bigint, :run::bigint
    from recon_result
    where category not in ('matched', 'missing_ours')
      or (category = 'missing_ours' and related is not null)
    union all
    select :provider, :day::date, 'malformed', 'line ' || line, null, null, line, null, null,
      jsonb_build_object('reason', reason, 'text', text), :run::bigint, :run::bigint
    from recon_malformed
    on conflict (provider, day, category, item_key)
    do update set last_run_id = excluded.last_run_id, details = excluded.details`,
  { provider: run.provider, day: run.day, run: run.id })
  return rowCount ?? 0
}
