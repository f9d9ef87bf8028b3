import type { Knex } from 'knex'

// One row per card payment attempt. States only move forward: created →
// redirected → paid | declined | expired, and paid → reversed; a trigger
// refuses anything else, so a late or stale answer cannot undo a payment.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('card_orders', (t) => {
    t.bigIncrements('id')
    t.uuid('public_id').notNullable().unique().defaultTo(knex.raw('gen_random_uuid()'))
    t.text('processor').notNullable()
    t.text('order_number').notNullable()
    t.bigInteger('cabinet_id').notNullable().references('cabinets.id')
    t.text('channel').notNullable()
    t.bigInteger('amount').notNullable()
    t.text('currency').notNullable().defaultTo('AZN')
    t.text('state').notNullable().defaultTo('created')
    t.text('rrn')
    t.text('int_ref')
    t.text('transaction')
    t.text('approval')
    t.text('detail')
    t.bigInteger('payment_id').unique().references('payments.id')
    t.integer('checks').notNullable().defaultTo(0)
    t.timestamp('next_check_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('last_checked_at', { useTz: true })
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('redirected_at', { useTz: true })
    t.timestamp('settled_at', { useTz: true })
    t.timestamp('reversed_at', { useTz: true })
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['processor', 'order_number'])
    t.unique(['processor', 'rrn'])
    t.unique(['processor', 'int_ref'])
    t.unique(['processor', 'transaction'])
    t.index(['cabinet_id', 'id'])
  })
  await knex.raw(`alter table card_orders
    add constraint card_orders_state_check check (state in
      ('created', 'redirected', 'paid', 'declined', 'expired', 'reversed')),
    add constraint card_orders_channel_check check (channel in ('cabinet', 'public')),
    add constraint card_orders_amount_check check (amount > 0),
    add constraint card_orders_currency_check check (currency = 'AZN'),
    add constraint card_orders_number_check check (order_number ~ '^[0-9]{6,20}$'),
    add constraint card_orders_paid_check
      check ((state in ('paid', 'reversed')) = (payment_id is not null))`)
  await knex.raw(`create index card_orders_pending on card_orders (next_check_at)
    where state in ('created', 'redirected')`)
  await knex.raw(`
    create function card_orders_forward_only() returns trigger language plpgsql as $$
    begin
      if new.state = old.state
        or (old.state = 'created' and new.state in ('redirected', 'paid', 'declined', 'expired'))
        or (old.state = 'redirected' and new.state in ('paid', 'declined', 'expired'))
        or (old.state = 'paid' and new.state = 'reversed') then
        return new;
      end if;
      raise exception 'card order % cannot go from % to %', old.id, old.state, new.state
        using errcode = '23514';
    end $$;
    create trigger card_orders_forward_only before update of state on card_orders
      for each row execute function card_orders_forward_only();
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('card_orders')
  await knex.raw('drop function card_orders_forward_only()')
}
