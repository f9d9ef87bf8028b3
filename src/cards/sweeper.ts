import { isGatewayError } from '../errors.ts'
import { pendingStates } from './orders.ts'
import type { CardProcessor } from './processor.ts'
import { finalCheckAfter } from './schedule.ts'
import { settleOrder, type CardsDeps } from './settle.ts'

export interface SweepReport {
  /** Orders the processor, asked one last time inside its window, had no payment for. */
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
  /**
   * Orders still waiting at or past their final check: the processor gave no
   * final answer (no reply, a timeout, an unclear status). Left waiting for
   * an operator (`cards show --query`), never expired blindly.
   */
  unresolved: number
}

export interface SweepOptions {
  now?: Date
  /** At most this many status queries per run. */
  limit?: number
  concurrency?: number
}

const leaseMs = 2 * 60_000

/**
 * One sweep: claim the orders whose next check is due (SKIP LOCKED, so
 * sweepers on several machines share the work) and run the settle routine
 * for each. An order's checks never pass its final check, shortly before the
 * processor's status window closes; there the settle routine expires it only
 * when the processor says it has no payment. Orders left waiting after their
 * final check are counted as `unresolved` on every run until a person acts.
 */
export async function sweepCardOrders(
  deps: CardsDeps, processors: Map<string, CardProcessor>, opts: SweepOptions = {},
): Promise<SweepReport> {
  const now = opts.now ?? new Date()
  const report: SweepReport = { expired: 0, checked: 0, paid: 0, declined: 0, pending: 0,
    failed: 0, orphaned: 0, unresolved: 0 }
  const log = deps.log.child({ component: 'cards-sweeper' })

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
        const r = await settleOrder(deps, processor, next.order_number,
          { trigger: 'sweep', now })
        const state = r.status === 'settled' ? r.order.state : null
        if (state === 'paid') report.paid++
        else if (state === 'declined') report.declined++
        else if (state === 'expired') report.expired++
        else report.pending++
        if (r.status === 'pending' && r.final) {
          log.error({ provider: next.processor, order: next.order_number, reason: r.reason },
            'card order at its final check has no final answer: left waiting for an operator')
        }
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

  for (const p of processors.values()) {
    // Created before this instant, an order has reached its final check.
    const cutoff = new Date(now.getTime() - finalCheckAfter(p.statusWindowMs))
    const [row] = await deps.db('card_orders').where({ processor: p.id })
      .whereIn('state', pendingStates).where('created_at', '<=', cutoff)
      .count<{ n: string }[]>('* as n')
    report.unresolved += Number(row?.n ?? 0)
  }
  if (report.unresolved) {
    log.warn({ count: report.unresolved }, 'card orders past their final check still waiting: '
      + 'see `cards show --query`')
  }
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
