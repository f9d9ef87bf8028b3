import test from 'ava'
import { dropDb, freshDb } from './helpers/db.ts'

test('migrations run latest, roll back completely, and run latest again', async (t) => {
  const ctx = await freshDb({ min: 0, max: 2 })
  try {
    const { db } = ctx
    const tables = async () =>
      (await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename'))
        .filter((n: string) => !n.startsWith('knex_')).sort()
    const before = await tables()
    t.true(before.includes('ledger_entries'))
    await db.migrate.rollback(undefined, true)
    t.deepEqual(await tables(), [])
    const seq = await db('pg_class').where({ relkind: 'S' }).pluck('relname')
    t.deepEqual(seq.filter((n: string) => !n.startsWith('knex_')), [])
    await db.migrate.latest()
    t.deepEqual(await tables(), before)
  } finally {
    await dropDb(ctx)
  }
})
