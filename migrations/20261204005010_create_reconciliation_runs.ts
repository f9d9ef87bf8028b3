import type { Knex } from 'knex'

// One row per reconciliation of a provider's registry, so that a re-sent
// file (same bytes) is recognised and every result can be traced to its run.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reconciliation_runs', (t) => {
    t.bigIncrements('id')
    t.text('provider').notNullable()
    t.date('day').notNullable()
    t.text('format').notNullable()
    t.text('time_zone').notNullable()
    t.text('file_name').notNullable()
    t.text('file_sha256').notNullable()
    t.bigInteger('file_bytes').notNullable()
    t.integer('lines').notNullable().defaultTo(0)
    t.integer('malformed').notNullable().defaultTo(0)
    t.boolean('clean').notNullable().defaultTo(false)
    t.boolean('applied').notNullable().defaultTo(false)
    t.text('operator').notNullable()
    t.jsonb('summary').notNullable().defaultTo('{}')
    t.jsonb('trailer').notNullable().defaultTo('{}')
    t.jsonb('applied_result').notNullable().defaultTo('{}')
    t.bigInteger('resent_of').references('reconciliation_runs.id')
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('finished_at', { useTz: true })
    t.index(['provider', 'day'])
    t.index(['provider', 'file_sha256'])
  })
  await knex.raw(`alter table reconciliation_runs
    add constraint reconciliation_runs_sha_check check (file_sha256 ~ '^[0-9a-f]{64}$')`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reconciliation_runs')
}
