import { isGatewayError } from '../errors.ts'
import { pendingStates } from './orders.ts'
import type { CardProcessor } from './processor.ts'
import { settleOrder, type CardsDeps } from './settle.ts'

export interface SweepReport {
  /** Orders past their processor's status window, now expired. */
  expired: number
  /** Orders whose status was asked for. */
  checked: number
  paid: number
  declined: number
  pending: number
  /** Settles that failed with an unexpected fault (logged). */
  failed: number
  /** Waiting orders of processors no longer configured: left alone. */
  orphaned: number
}

export interface SweepOptions {
  now?: Date
  /** At most this many status queries per run. */
  limit?: number
  concurrency?: number
}

const leaseMs = 2 * 60_000

/**
 * One sweep: expire orders past their processor's status window, then claim
 * the orders whose next check is due (SKIP LOCKED, so sweepers on several
 * machines share the work) and run the settle routine for each.
 */
export async function sweepCardOrders(
  deps: CardsDeps, processors: Map<string, CardProcessor>, opts: SweepOptions = {},
): Promise<SweepReport> {
  const now = opts.now ?? new Date()
  const report: SweepReport = { expired: 0, checked: 0, paid: 0, declined: 0, pending: 0,
    failed: 0, orphaned: 0 }
  const log = deps.log.child({ component: 'cards-sweeper' })

  for (const p of processors.values()) {
    const expired = await deps.db('card_orders').where({ processor: p.id })
      .whereIn('state', pendingStates)
      .where('created_at', '<', new Date(now.getTime() - p.statusWindowMs))
      .update({ state: 'expired', settled_at: deps.db.fn.now(), updated_at: deps.db.fn.now() })
      .returning(['order_number'])
    if (expired.length) {
      log.info({ provider: p.id, count: expired.length }, 'card orders expired unpaid')
    }
    report.expired += expired.length
  }
  const ids = [...processors.keys()]
  const orphans = await deps.db('card_orders').whereIn('state', pendingStates)
    .whereNotIn('processor', ids.length ? ids : ['']).count<{ n: string }[]>('* as n')
  report.orphaned = Number(orphans[0]?.n ?? 0)
  if (report.orphaned) {
    log.warn({ count: report.orphaned }, 'waiting card orders of unconfigured processors')
  }
  if (ids.length === 0) return report

  const claimed: Array<{ processor: string; order_number: string }> = (await deps.db.raw(`
    update card_orders set next_check_at = ?
    where id in (select id from card_orders
      where state in ('created', 'redirected') and next_check_at <= ? and processor = any(?)
      order by next_check_at limit ? for update skip locked)
    returning processor, order_number`,
  [new Date(now.getTime() + leaseMs), now, ids, opts.limit ?? 200])).rows

  const queue = [...claimed]
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const processor = processors.get(next.processor) as CardProcessor
      report.checked++
      try {
        const r = await settleOrder(deps, processor, next.order_number, { trigger: 'sweep' })
        if (r.status === 'settled' && r.order.state === 'paid') report.paid++
        else if (r.status === 'settled' && r.order.state === 'declined') report.declined++
        else report.pending++
      } catch (err) {
        report.failed++
        const level = isGatewayError(err, 'unavailable') ? 'warn' : 'error'
        log[level]({ err, provider: next.processor, order: next.order_number },
          'card order sweep failed')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, claimed.length) },
    worker))
  if (report.checked) log.info({ ...report }, 'card orders swept')
  return report
}

/**
 * Runs the sweep every `everyMs` in the background, one run at a time.
 * `stop` waits for a run in progress.
 */
export function startCardSweeper(
  deps: CardsDeps, processors: () => Map<string, CardProcessor>, everyMs = 60_000,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve()
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    running = sweepCardOrders(deps, processors())
      .catch((err: unknown) => deps.log.warn({ err, component: 'cards-sweeper' },
        'card sweep did not run'))
      .finally(() => {
        busy = false
      })
  }, everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
