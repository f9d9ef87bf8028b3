import type { Knex } from 'knex'

// The inbox of money coming in: one row per external payment, committed
// before the provider is told it was accepted.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id')
    t.text('provider').notNullable()
    t.text('external_id').notNullable()
    t.text('source').notNullable()
    t.text('target').notNullable().defaultTo('cabinet')
    t.text('payer_ref').notNullable()
    t.bigInteger('cabinet_id').references('cabinets.id')
    t.bigInteger('amount').notNullable()
    t.text('currency').notNullable().defaultTo('AZN')
    t.text('fingerprint').notNullable()
    t.text('provider_time_raw')
    t.timestamp('provider_time', { useTz: true })
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.text('state').notNullable().defaultTo('accepted')
    t.text('payment_code').notNullable().unique()
    t.jsonb('reply').notNullable().defaultTo('{}')
    t.jsonb('metadata').notNullable().defaultTo('{}')
    t.bigInteger('ledger_transaction_id').references('ledger_transactions.id')
    t.timestamp('posted_at', { useTz: true })
    t.unique(['provider', 'external_id'])
    t.index(['cabinet_id', 'id'])
    t.index(['provider', 'provider_time'])
  })
  await knex.raw(`alter table payments
    add constraint payments_amount_check check (amount > 0),
    add constraint payments_currency_check check (currency = 'AZN'),
    add constraint payments_state_check check (state in ('accepted', 'posted', 'reversed')),
    add constraint payments_source_check check (source in ('terminal', 'card', 'operator')),
    add constraint payments_target_check check (target in ('cabinet', 'voucher')),
    add constraint payments_cabinet_check check ((target = 'cabinet') = (cabinet_id is not null)),
    add constraint payments_code_check check (payment_code ~ '^[0-9]{15}$'),
    add constraint payments_posted_check
      check ((state = 'accepted') = (ledger_transaction_id is null))`)
  await knex.raw(`create index payments_unposted on payments (received_at)
    where state = 'accepted'`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments')
}
