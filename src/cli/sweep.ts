import type { Command } from 'commander'
import Table from 'cli-table3'
import { createContext, type AppContext } from '../context.ts'
import { formatAmount } from '../money.ts'
import { sweepAccepted } from '../payments/sweep.ts'
import { positiveInt, withOperatorDb } from './reconcile.ts'

/** One line of the sweep's summary. */
export interface SweepLine {
  what: string
  count: number
  amount: string
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

/** Card orders still waiting for a final answer whose next status check is due. */
export async function dueCardOrders(ctx: Pick<AppContext, 'db'>): Promise<SweepLine> {
  const row = await ctx.db('card_orders').whereIn('state', ['created', 'redirected'])
    .where('next_check_at', '<=', ctx.db.fn.now())
    .first(ctx.db.raw('count(*)::int as count'),
      ctx.db.raw('coalesce(sum(amount), 0)::bigint as sum'),
      ctx.db.raw('min(created_at) as oldest'))
  return {
    what: 'card orders unsettled, status check due',
    count: row.count as number,
    amount: formatAmount(row.sum as bigint),
    oldest: (row.oldest as Date | null)?.toISOString() ?? null,
    action: 'reported only: the card settlement sweeper is not available to this command',
  }
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
      const lines = await withOperatorDb(async (db, providers, config) => {
        const ctx = createContext(config, { db, providers })
        try {
          return [await sweepPayments(ctx, { olderThanMs, limit }), await dueCardOrders(ctx)]
        } finally {
          await ctx.queues.credits.close()
        }
      })
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`)
      } else {
        const table = new Table({ head: ['what', 'count', 'amount', 'oldest', 'action'],
          style: { head: [], border: [] } })
        for (const l of lines) table.push([l.what, l.count, l.amount, l.oldest ?? '', l.action])
        process.stdout.write(`${table.toString()}\n`)
      }
      process.exitCode = lines.some((l) => l.count > 0) ? 1 : 0
    })
}
