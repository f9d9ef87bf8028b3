import { userInfo } from 'node:os'
import type { Command } from 'commander'
import { loadConfig, type Config } from '../config.ts'
import { createContext } from '../context.ts'
import { createDb, type Db } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { loadProvidersFile, type ProvidersFile } from '../providers.ts'
import { inboxCredit } from '../reconcile/apply.ts'
import { parseDay, registryProfile } from '../reconcile/profile.ts'
import type { OutputFormat } from '../reconcile/report.ts'
import { reconcile } from '../reconcile/run.ts'

/** Runs an operator command with a small pool and the providers file, then lets go. */
export async function withOperatorDb<T>(
  fn: (db: Db, providers: ProvidersFile, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig()
  const providers = loadProvidersFile(config.providersFile)
  const db = createDb(config.databaseUrl, { min: 0, max: 4 })
  try {
    return await fn(db, providers, config)
  } finally {
    await db.destroy()
  }
}

/** `--json` and `--csv` pick a machine format; neither means a table for people. */
export function outputFormat(opts: { json?: boolean; csv?: boolean }): OutputFormat {
  if (opts.json && opts.csv) throw new GatewayError('bad_request', 'give --json or --csv, not both')
  return opts.json ? 'json' : opts.csv ? 'csv' : 'table'
}

export function positiveInt(raw: string, name: string): number {
  if (!/^[1-9]\d{0,6}$/.test(raw)) {
    throw new GatewayError('bad_request', `${name} must be a whole number above zero`)
  }
  return Number(raw)
}

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
      const operator = opts.operator ?? process.env.SUDO_USER ?? userInfo().username
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
