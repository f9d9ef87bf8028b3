import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Command } from 'commander'
import { exportRegistry } from '../reconcile/export.ts'
import { parseDay, registryProfile, type RegistryFormat } from '../reconcile/profile.ts'
import { withOperatorDb } from './operator.ts'

export function registerRegistry(program: Command): void {
  program
    .command('registry')
    .description("export our registry of a provider's day, in the provider's format")
    .requiredOption('--provider <id>', 'provider id from the providers file')
    .requiredOption('--date <day>', "the day in the provider's zone, YYYY-MM-DD")
    .option('--format <format>', "qiwi-tsv, csv or xml (default: the provider's registry format)")
    .option('--output <file>', 'write to this file instead of standard output')
    .action(async (opts: { provider: string; date: string; format?: string; output?: string }) => {
      const day = parseDay(opts.date)
      const total = await withOperatorDb(async (db, providers) => {
        const profile = registryProfile(providers, opts.provider, { format: opts.format })
        const format = profile.format as RegistryFormat
        if (!opts.output) {
          return await exportRegistry(db, { profile, day, format, out: process.stdout })
        }
        const out = createWriteStream(opts.output)
        try {
          return await exportRegistry(db, { profile, day, format, out })
        } finally {
          out.end()
          await once(out, 'close')
        }
      })
      if (opts.output) {
        process.stderr.write(`wrote ${total.count} payment(s) to ${opts.output}\n`)
      }
    })
}
