import type { Command } from 'commander'
import Table from 'cli-table3'
import { checkOrder } from '../cards/check.ts'
import {
  expireByOperator, findOrder, pendingStates, type CardOrder,
} from '../cards/orders.ts'
import type { CardProcessor } from '../cards/processor.ts'
import { cardProcessors } from '../cards/processors.ts'
import { reverseOrder } from '../cards/reversal.ts'
import { sweepCardOrders } from '../cards/sweeper.ts'
import { createContext, type AppContext } from '../context.ts'
import { GatewayError } from '../errors.ts'
import { formatAmount } from '../money.ts'
import { operatorName, positiveInt, withOperatorDb } from './operator.ts'

async function withCards<T>(fn: (ctx: AppContext, processors: Map<string, CardProcessor>)
  => Promise<T>): Promise<T> {
  return withOperatorDb(async (db, providers, config) => {
    const ctx = createContext(config, { db, providers })
    try {
      return await fn(ctx, cardProcessors(ctx))
    } finally {
      await ctx.queues.credits.close()
    }
  })
}

function processorOf(processors: Map<string, CardProcessor>, id: string): CardProcessor {
  const p = processors.get(id)
  if (!p) {
    throw new GatewayError('bad_request', `no enabled card processor "${id}" (enabled: `
      + `${[...processors.keys()].join(', ') || 'none'})`)
  }
  return p
}

function orderLines(o: CardOrder): Array<[string, string]> {
  return [
    ['processor', o.processor], ['order', o.orderNumber], ['state', o.state],
    ['amount', formatAmount(o.amount)], ['channel', o.channel],
    ['rrn', o.refs.rrn ?? ''], ['int_ref', o.refs.intRef ?? ''],
    ['transaction', o.refs.transaction ?? ''], ['detail', o.detail ?? ''],
    ['payment_id', o.paymentId?.toString() ?? ''], ['checks', String(o.checks)],
    ['created_at', o.createdAt.toISOString()],
    ['settled_at', o.settledAt?.toISOString() ?? ''],
  ]
}

function print(rows: Array<[string, string]>, json?: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`)
    return
  }
  const table = new Table({ style: { head: [], border: [] } })
  for (const [k, v] of rows) table.push({ [k]: v })
  process.stdout.write(`${table.toString()}\n`)
}

/** `cards sweep | show | reverse`: the operator's side of card payments. */
export function registerCards(program: Command): void {
  const cards = program.command('cards')
    .description('card orders: sweep, inspect, expire, reverse')

  cards.command('sweep')
    .description('ask processors about waiting card orders, credit the paid ones, expire old '
      + 'ones; exit code 1 when a settle failed, orders of unconfigured processors wait, or '
      + 'orders past their final check got no final answer')
    .option('--limit <n>', 'at most this many status queries', '500')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; json?: boolean }) => {
      const limit = positiveInt(opts.limit, '--limit')
      const report = await withCards((ctx, processors) =>
        sweepCardOrders(ctx, processors, { limit }))
      print(Object.entries(report).map(([k, v]) => [k, String(v)]), opts.json)
      process.exitCode = report.failed > 0 || report.orphaned > 0 || report.unresolved > 0
        ? 1 : 0
    })

  cards.command('show')
    .description("an order's state and references; --query also asks the processor")
    .argument('<processor>', 'processor id from the providers file')
    .argument('<order>', 'our order number')
    .option('--query', "ask the processor for the order's status; a waiting or expired order "
      + 'it reports paid is credited, a waiting one it reports declined is declined')
    .option('--json', 'print JSON')
    .action(async (id: string, number: string, opts: { query?: boolean; json?: boolean }) => {
      await withCards(async (ctx, processors) => {
        const processor = processorOf(processors, id)
        let order = await findOrder(ctx.db, id, number)
        if (!order) throw new GatewayError('not_found', `no order ${number} at ${id}`)
        const check = opts.query ? await checkOrder(ctx, processor, order) : null
        order = check?.order ?? order
        const rows = orderLines(order)
        if (check) {
          const s = check.answer
          rows.push(['processor_says', s ? `${s.outcome} (${s.detail})`
            : `no answer (${check.reason ?? '-'})`],
          ['processor_amount', s?.amount == null ? '' : formatAmount(s.amount)])
        }
        print(rows, opts.json)
        process.exitCode = pendingStates.includes(order.state) ? 1 : 0
      })
    })

  cards.command('expire')
    .description('close a waiting order the processor can no longer answer about; it may '
      + 'still become paid later on the processor\'s word')
    .argument('<processor>', 'processor id from the providers file')
    .argument('<order>', 'our order number')
    .requiredOption('--reason <text>', 'why, kept on the order')
    .option('--operator <name>', 'who decides (default: the login name)')
    .action(async (id: string, number: string, opts: { reason: string; operator?: string }) => {
      const operator = operatorName(opts.operator)
      const order = await withOperatorDb((db) => expireByOperator(db, id, number,
        `expired by ${operator}: ${opts.reason}`))
      if (!order) {
        throw new GatewayError('conflict', `order ${number} of ${id} is not waiting `
          + '(unknown, or already paid, declined, expired or reversed)')
      }
      print(orderLines(order).slice(0, 4))
    })

  cards.command('reverse')
    .description('reverse a paid order in full at the processor (Azericard TRTYPE 24) and '
      + 'debit the cabinet; exit code 0 only when the reversal is confirmed')
    .argument('<processor>', 'processor id from the providers file')
    .argument('<order>', 'our order number')
    .requiredOption('--reason <text>', 'why, for the ledger and the log')
    .option('--operator <name>', 'who asks (default: the login name)')
    .action(async (id: string, number: string, opts: { reason: string; operator?: string }) => {
      const operator = operatorName(opts.operator)
      const report = await withCards((ctx, processors) =>
        reverseOrder(ctx, processorOf(processors, id), number, { operator,
          reason: opts.reason }))
      print([['outcome', report.outcome], ['cabinet_debited', String(report.debited)],
        ['detail', report.detail], ...orderLines(report.order).slice(0, 4)])
      if (report.outcome === 'unknown') {
        process.stderr.write('the processor did not confirm: check with '
          + `\`cards show ${id} ${number} --query\` before trying again\n`)
      }
      process.exitCode = report.outcome === 'reversed' && report.debited ? 0 : 1
    })
}
