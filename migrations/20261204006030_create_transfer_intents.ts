import type { Knex } from 'knex'

// A transfer between cabinets in progress: created once the sender has given
// their password and a recipient, and rendered into the confirm form as a
// one-time token (only its SHA-256 is kept). The intent's id is the ledger
// key, so submitting the form twice replays instead of moving money twice.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('transfer_intents', (t) => {
    t.bigIncrements('id')
    t.text('token_hash').notNullable().unique()
    t.bigInteger('from_cabinet').notNullable().references('cabinets.id')
    t.bigInteger('to_cabinet').notNullable().references('cabinets.id')
    t.bigInteger('amount')
    t.bigInteger('ledger_transaction_id').references('ledger_transactions.id')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('expires_at', { useTz: true }).notNullable()
    t.timestamp('completed_at', { useTz: true })
    t.index(['from_cabinet', 'created_at'])
  })
  await knex.raw(`alter table transfer_intents
    add constraint transfer_intents_distinct check (from_cabinet <> to_cabinet),
    add constraint transfer_intents_amount_check check (amount is null or amount > 0),
    add constraint transfer_intents_done_check check ((completed_at is null)
      = (ledger_transaction_id is null))`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('transfer_intents')
}
