import type { Command } from 'commander'
import Table from 'cli-table3'
import { createContext, type AppContext } from '../context.ts'
import { formatAmount } from '../money.ts'
import { cardProcessors } from '../cards/processors.ts'
import { sweepCardOrders } from '../cards/sweeper.ts'
import { sweepAccepted } from '../payments/sweep.ts'
import { positiveInt, withOperatorDb } from './operator.ts'

/** One line of the sweep's summary. */
export interface SweepLine {
  what: string
  count: number
  amount: string | null
  oldest: string | null
  action: string
}

/** Re-enqueues accepted payments the worker has not posted; Postgres holds the truth. */
export async function sweepPayments(ctx: Pick<AppContext, 'db' | 'queues'>,
  opts: { olderThanMs: number; limit: number }): Promise<SweepLine> {
  const ids = await sweepAccepted(ctx.db, ctx.queues.credits, opts)
  const agg = ids.length === 0 ? undefined : await ctx.db('payments').whereIn('id',
    ids.map(String)).first(ctx.db.raw('coalesce(sum(amount), 0)::bigint as sum'),
    ctx.db.raw('min(received_at) as oldest'))
  return {
    what: 'payments accepted but not posted',
    count: ids.length,
    amount: formatAmount((agg?.sum as bigint | undefined) ?? 0n),
    oldest: (agg?.oldest as Date | undefined)?.toISOString() ?? null,
    action: ids.length ? 're-enqueued for posting' : 'none',
  }
}

/**
 * Runs the card sweep once: expires orders past their processor's
 * window and asks the processor about the orders whose check is due.
 */
export async function sweepCards(ctx: AppContext, limit: number)
  : Promise<{ lines: SweepLine[]; attention: boolean }> {
  const r = await sweepCardOrders(ctx, cardProcessors(ctx), { limit })
  const lines: SweepLine[] = [
    { what: 'card orders asked about', count: r.checked, amount: null, oldest: null,
      action: `${r.paid} paid, ${r.declined} declined, ${r.pending} still pending, `
        + `${r.failed} failed (see the log)` },
    { what: 'card orders expired unpaid', count: r.expired, amount: null, oldest: null,
      action: r.expired ? 'marked expired' : 'none' },
    { what: 'card orders of unconfigured processors', count: r.orphaned, amount: null,
      oldest: null, action: r.orphaned ? 'left alone: configure the processor' : 'none' },
    { what: 'card orders past their final check, no final answer', count: r.unresolved,
      amount: null, oldest: null,
      action: r.unresolved ? 'left waiting: check with `cards show --query`' : 'none' },
  ]
  return { lines, attention: r.failed > 0 || r.orphaned > 0 || r.unresolved > 0 }
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('find stuck payments and unsettled card orders, act on them, print a summary')
    .option('--older-than <seconds>', 'only payments accepted at least this long ago', '60')
    .option('--limit <n>', 'at most this many payments', '5000')
    .option('--json', 'print JSON')
    .action(async (opts: { olderThan: string; limit: string; json?: boolean }) => {
      const olderThanMs = positiveInt(opts.olderThan, '--older-than') * 1000
      const limit = positiveInt(opts.limit, '--limit')
      const { lines, attention } = await withOperatorDb(async (db, providers, config) => {
        const ctx = createContext(config, { db, providers })
        try {
          const payments = await sweepPayments(ctx, { olderThanMs, limit })
          const cards = await sweepCards(ctx, limit)
          // Attention: payments were stuck, a card settle failed, or a processor is gone.
          return { lines: [payments, ...cards.lines],
            attention: payments.count > 0 || cards.attention }
        } finally {
          await ctx.queues.credits.close()
        }
      })
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`)
      } else {
        const table = new Table({ head: ['what', 'count', 'amount', 'oldest', 'action'],
          style: { head: [], border: [] } })
        for (const l of lines) {
          table.push([l.what, l.count, l.amount ?? '', l.oldest ?? '', l.action])
        }
        process.stdout.write(`${table.toString()}\n`)
      }
      process.exitCode = attention ? 1 : 0
    })
}
