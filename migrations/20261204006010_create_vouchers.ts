import type { Knex } from 'knex'

// Payment codes sold without a cabinet. Their money waits in the vouchers
// account from issue until one cabinet redeems the code; redemption flips
// `state` with one conditional update, so a race has exactly one winner.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vouchers', (t) => {
    t.bigIncrements('id')
    t.text('code').notNullable().unique()
    t.bigInteger('amount').notNullable()
    t.text('provider').notNullable()
    t.text('batch')
    t.bigInteger('payment_id').references('payments.id').unique()
    t.bigInteger('issued_transaction_id').notNullable().references('ledger_transactions.id')
    t.text('state').notNullable().defaultTo('issued')
    t.bigInteger('redeemed_by').references('cabinets.id')
    t.bigInteger('redeemed_transaction_id').references('ledger_transactions.id')
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('redeemed_at', { useTz: true })
    t.index(['batch'])
    t.index(['redeemed_by', 'redeemed_at'])
  })
  await knex.raw(`alter table vouchers
    add constraint vouchers_code_check check (code ~ '^[1-9][0-9]{14}$'),
    add constraint vouchers_amount_check check (amount > 0),
    add constraint vouchers_state_check check (state in ('issued', 'redeemed')),
    add constraint vouchers_redeemed_check check ((state = 'redeemed')
      = (redeemed_by is not null and redeemed_at is not null))`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('vouchers')
}
