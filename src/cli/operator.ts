import { userInfo } from 'node:os'
import { loadConfig, type Config } from '../config.ts'
import { createDb, type Db } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { loadProvidersFile, type ProvidersFile } from '../providers.ts'
import type { OutputFormat } from '../reconcile/report.ts'

/** What every operator command shares: its database, flags and who runs it. */

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

/** Who acts: `--operator`, else the person behind sudo, else the login name. */
export function operatorName(given?: string): string {
  return given ?? process.env.SUDO_USER ?? userInfo().username
}
