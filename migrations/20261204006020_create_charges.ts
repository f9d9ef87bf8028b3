import type { Knex } from 'knex'

// Debits the centre's services make through the charge API, and their
// refunds. Each is unique per service client and the client's own id, which
// is the idempotency key; `fingerprint` is what the first request asked for.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('charges', (t) => {
    t.bigIncrements('id')
    t.text('client').notNullable()
    t.text('external_id').notNullable()
    t.text('fingerprint').notNullable()
    t.bigInteger('cabinet_id').notNullable().references('cabinets.id')
    t.bigInteger('amount').notNullable()
    t.text('purpose').notNullable()
    t.text('served_person').notNullable()
    t.bigInteger('ledger_transaction_id').references('ledger_transactions.id')
    t.bigInteger('refunded').notNullable().defaultTo(0)
    t.jsonb('response').notNullable().defaultTo('{}')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['client', 'external_id'])
    t.index(['cabinet_id', 'id'])
  })
  await knex.raw(`alter table charges
    add constraint charges_amount_check check (amount > 0),
    add constraint charges_refunded_check check (refunded >= 0 and refunded <= amount)`)

  await knex.schema.createTable('charge_refunds', (t) => {
    t.bigIncrements('id')
    t.bigInteger('charge_id').notNullable().references('charges.id')
    t.text('client').notNullable()
    t.text('external_id').notNullable()
    t.text('fingerprint').notNullable()
    t.bigInteger('amount').notNullable()
    t.text('reason')
    t.bigInteger('ledger_transaction_id').references('ledger_transactions.id')
    t.jsonb('response').notNullable().defaultTo('{}')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['client', 'external_id'])
    t.index(['charge_id'])
  })
  await knex.raw(`alter table charge_refunds
    add constraint charge_refunds_amount_check check (amount > 0)`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('charge_refunds')
  await knex.schema.dropTable('charges')
}
