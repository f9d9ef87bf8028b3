import test from 'ava'
import { dropDb, freshDb, type TestDb } from '../test/helpers/db.ts'
import { queryPrepared } from './db.ts'

let tdb: TestDb

test.before(async () => {
  tdb = await freshDb()
  await tdb.db.raw('create table prepared_probe (id int primary key, label text)')
  await tdb.db.raw(`insert into prepared_probe values (1, 'one')`)
})
test.after.always(async () => {
  if (tdb) await dropDb(tdb)
})

const probe = { name: 'prepared_probe_all', text: 'select * from prepared_probe where id = $1' }

test.serial('a statement whose result a migration changed is prepared afresh, not failed',
  async (t) => {
    // Prepare it on every pooled connection the test may get.
    await Promise.all(Array.from({ length: 4 }, () => queryPrepared(tdb.db, probe, [1])))
    await tdb.db.raw('alter table prepared_probe add column added text')
    for (let i = 0; i < 6; i++) {
      const { rows } = await queryPrepared(tdb.db, probe, [1])
      t.deepEqual(Object.keys(rows[0] ?? {}), ['id', 'label', 'added'])
    }
  })

test.serial('inside a transaction the stale plan fails that transaction only', async (t) => {
  await tdb.db.transaction(async (trx) => {
    t.is((await queryPrepared(trx, probe, [1])).rows.length, 1)
  })
  await tdb.db.raw('alter table prepared_probe add column second text')
  // The transaction's connection may or may not hold the old plan; either way
  // what follows must work.
  await tdb.db.transaction(async (trx) => queryPrepared(trx, probe, [1])).catch(() => {})
  const { rows } = await queryPrepared(tdb.db, probe, [1])
  t.true('second' in (rows[0] ?? {}))
  await tdb.db.transaction(async (trx) => {
    t.true('second' in ((await queryPrepared(trx, probe, [1])).rows[0] ?? {}))
  })
})
