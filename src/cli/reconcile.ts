import type { Command } from 'commander'
import { createContext } from '../context.ts'
import { inboxCredit } from '../reconcile/apply.ts'
import { parseDay, registryProfile } from '../reconcile/profile.ts'
import { reconcile } from '../reconcile/run.ts'
import { operatorName, outputFormat, positiveInt, withOperatorDb } from './operator.ts'

interface ReconcileFlags {
  provider: string
  date: string
  format?: string
  json?: boolean
  csv?: boolean
  apply?: boolean
  operator?: string
  limit: string
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description("match a provider's registry of a day with our payments; exit code 0 clean, "
      + '1 discrepancies, 2 unreadable')
    .argument('<file>', 'the registry file')
    .requiredOption('--provider <id>', 'provider id from the providers file')
    .requiredOption('--date <day>', "the registry's day in the provider's zone, YYYY-MM-DD")
    .option('--format <format>', "qiwi-tsv, csv or xml (default: the provider's registry format)")
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print the discrepancies as CSV')
    .option('--apply', 'credit what is missing ours (operator-approved) and mark the rest '
      + 'for review; safe to repeat')
    .option('--operator <name>', 'who approves --apply (default: the login name)')
    .option('--limit <n>', 'discrepancies shown in the table', '100')
    .action(async (file: string, opts: ReconcileFlags) => {
      const output = outputFormat(opts)
      const day = parseDay(opts.date)
      const tableLimit = positiveInt(opts.limit, '--limit')
      const operator = operatorName(opts.operator)
      const outcome = await withOperatorDb(async (db, providers, config) => {
        const profile = registryProfile(providers, opts.provider, { format: opts.format })
        const base = { profile, day, file, output, out: process.stdout, notes: process.stderr,
          operator, tableLimit, progress: process.stderr.isTTY === true }
        if (!opts.apply) return await reconcile(db, base)
        const ctx = createContext(config, { db, providers })
        const account = (providers.providers[opts.provider] as { account?: unknown }).account
        const mode = account === 'document' || account === 'cabinet' ? account : 'either'
        try {
          return await reconcile(db, { ...base, apply: inboxCredit(ctx, mode) })
        } finally {
          await ctx.queues.credits.close()
        }
      })
      process.exitCode = outcome.exitCode
    })
}
