import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { createDb, ensureDatabase } from '../db.ts'

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create the database if needed and apply migrations')
    .option('--rollback', 'roll back every migration instead (development only)')
    .action(async (opts: { rollback?: boolean }) => {
      const config = loadConfig()
      await ensureDatabase(config.databaseUrl)
      const db = createDb(config.databaseUrl, { min: 0, max: 1 })
      try {
        if (opts.rollback) {
          const [, undone] = await db.migrate.rollback(undefined, true)
          process.stdout.write(`rolled back ${(undone as string[]).length} migrations\n`)
        } else {
          const [, applied] = await db.migrate.latest()
          const list = applied as string[]
          process.stdout.write(list.length
            ? `applied ${list.length} migrations:\n${list.map((m) => `  ${m}\n`).join('')}`
            : 'database is up to date\n')
        }
      } finally {
        await db.destroy()
      }
    })
}
