import type { Knex } from 'knex'

// Discrepancies an operator must look at. One row per provider, day,
// category and item, so reconciling the same registry again updates the
// row's last run instead of adding another.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reconciliation_reviews', (t) => {
    t.bigIncrements('id')
    t.text('provider').notNullable()
    t.date('day').notNullable()
    t.text('category').notNullable()
    t.text('item_key').notNullable()
    t.text('external_id')
    t.bigInteger('payment_id').references('payments.id')
    t.integer('line')
    t.bigInteger('theirs_amount')
    t.bigInteger('ours_amount')
    t.jsonb('details').notNullable().defaultTo('{}')
    t.bigInteger('first_run_id').notNullable().references('reconciliation_runs.id')
    t.bigInteger('last_run_id').notNullable().references('reconciliation_runs.id')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('resolved_at', { useTz: true })
    t.text('resolved_by')
    t.unique(['provider', 'day', 'category', 'item_key'])
    t.index(['provider', 'external_id'])
    t.index(['payment_id'])
  })
  await knex.raw(`create index reconciliation_reviews_open on reconciliation_reviews
    (provider, day) where resolved_at is null`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reconciliation_reviews')
}
