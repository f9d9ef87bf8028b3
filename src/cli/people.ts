import { open } from 'node:fs/promises'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { loadConfig, type Config } from '../config.ts'
import { createDb, type Db } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { importPeople, personFields } from '../payers/index.ts'

/** Runs a command body with a small database pool, released afterwards. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const db = createDb(config.databaseUrl, { min: 0, max: 2 })
  try {
    return await fn(db, config)
  } finally {
    await db.destroy()
  }
}

export function registerPeople(program: Command): void {
  program
    .command('people:import')
    .description('load population-registry people from a CSV file into the local '
      + 'registry table (development and tests); re-importing updates them')
    .argument('<file>', `comma-separated, UTF-8, with a header naming ${personFields.join(',')}`)
    .option('--batch-size <rows>', 'rows written per statement', parseBatchSize, 500)
    .addHelpText('after', '\nExit code: 0 every row imported, 1 some rows rejected '
      + '(listed with their line numbers), 2 the file is unreadable.')
    .action(async (file: string, opts: { batchSize: number }) => {
      const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
        throw new GatewayError('bad_request', `cannot read ${file}: ${err.code ?? err.message}`)
      })
      const size = (await handle.stat()).size
      const bar = process.stderr.isTTY && size > 1_000_000 ? progressBar(size) : null
      const report = await withDb(async (db) => {
        const input = handle.createReadStream()
        try {
          return await importPeople(db, input, { batchSize: opts.batchSize,
            onProgress: (bytes) => bar?.update(Math.min(bytes, size)) })
        } catch (err) {
          // A read fault mid-file (EISDIR, EIO) means the file is unreadable.
          if ((err as NodeJS.ErrnoException).syscall) {
            throw new GatewayError('bad_request', `cannot read ${file}: ${(err as Error).message}`)
          }
          throw err
        } finally {
          bar?.stop()
          input.destroy()
        }
      })
      const out = [`imported ${report.imported}, updated ${report.updated}, `
        + `unchanged ${report.unchanged}, rejected ${report.rejected.length}`]
      for (const r of report.rejected) out.push(`line ${r.line}: ${r.reason}`)
      process.stdout.write(`${out.join('\n')}\n`)
      if (report.stopped) {
        process.stderr.write(`cabinet-gateway: ${file} is not valid CSV from line `
          + `${report.stopped.line}: ${report.stopped.reason}; the rest was not read\n`)
        process.exitCode = 2
      } else if (report.rejected.length > 0) {
        process.exitCode = 1
      }
    })
}

function parseBatchSize(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 5000) {
    throw new GatewayError('bad_request', '--batch-size must be a whole number from 1 to 5000')
  }
  return n
}

function progressBar(total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: 'importing {bar} {percentage}% | {eta}s left',
    clearOnComplete: true,
    hideCursor: true,
    fps: 5,
  }, cliProgress.Presets.shades_classic)
  bar.start(total, 0)
  return bar
}
