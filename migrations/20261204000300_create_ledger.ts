import type { Knex } from 'knex'

// Double-entry ledger. Cabinet and voucher balances are kept on the account
// row by a trigger and may not go below zero; clearing and revenue accounts
// are hot, so their balance is the sum of their entries and no row is locked.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.bigIncrements('id')
    t.text('kind').notNullable()
    t.text('code').notNullable().unique()
    t.bigInteger('cabinet_id').references('cabinets.id').unique()
    t.text('currency').notNullable().defaultTo('AZN')
    t.boolean('tracked').notNullable()
    t.boolean('allow_negative').notNullable().defaultTo(false)
    t.bigInteger('balance').notNullable().defaultTo(0)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw(`alter table accounts
    add constraint accounts_kind_check
      check (kind in ('cabinet', 'clearing', 'vouchers', 'revenue', 'adjustments')),
    add constraint accounts_currency_check check (currency = 'AZN'),
    add constraint accounts_cabinet_check check ((kind = 'cabinet') = (cabinet_id is not null)),
    add constraint accounts_balance_nonnegative check (allow_negative or balance >= 0)`)

  await knex.schema.createTable('ledger_transactions', (t) => {
    t.bigIncrements('id')
    t.text('idempotency_key').notNullable().unique()
    t.text('kind').notNullable()
    t.text('fingerprint').notNullable()
    t.jsonb('metadata').notNullable().defaultTo('{}')
    t.bigInteger('reverses_id').references('ledger_transactions.id')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw(`alter table ledger_transactions add constraint ledger_transactions_kind_check
    check (kind in ('credit', 'code_issue', 'code_redeem', 'transfer', 'charge', 'refund',
                    'reversal', 'adjustment'))`)

  await knex.schema.createTable('ledger_entries', (t) => {
    t.bigIncrements('id')
    t.bigInteger('transaction_id').notNullable().references('ledger_transactions.id')
    t.bigInteger('account_id').notNullable().references('accounts.id')
    t.bigInteger('amount').notNullable()
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.index(['account_id', 'id'])
    t.index(['transaction_id'])
  })
  await knex.raw(`alter table ledger_entries add constraint ledger_entries_amount_check
    check (amount <> 0)`)

  await knex.raw(`
    create function ledger_apply_entry() returns trigger language plpgsql as $$
    begin
      update accounts set balance = balance + new.amount
        where id = new.account_id and tracked;
      return new;
    end $$;
    create trigger ledger_entries_apply after insert on ledger_entries
      for each row execute function ledger_apply_entry();

    create function ledger_check_balanced() returns trigger language plpgsql as $$
    declare total numeric;
    begin
      select coalesce(sum(amount), 0) into total from ledger_entries
        where transaction_id = new.transaction_id;
      if total <> 0 then
        raise exception 'ledger transaction % does not balance (sum %)',
          new.transaction_id, total using errcode = '23514';
      end if;
      return null;
    end $$;
    create constraint trigger ledger_entries_balanced after insert on ledger_entries
      deferrable initially deferred
      for each row execute function ledger_check_balanced();

    create function ledger_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op
        using errcode = '42501';
    end $$;
    create trigger ledger_transactions_immutable
      before update or delete on ledger_transactions
      for each row execute function ledger_refuse_change();
    create trigger ledger_entries_immutable
      before update or delete on ledger_entries
      for each row execute function ledger_refuse_change();
    -- Balances move only through entries: a direct write to the column is refused.
    create function accounts_guard_balance() returns trigger language plpgsql as $$
    begin
      if pg_trigger_depth() <= 1 and new.balance is distinct from old.balance then
        raise exception 'accounts.balance changes only through ledger entries'
          using errcode = '42501';
      end if;
      return new;
    end $$;
    create trigger accounts_balance_guard before update of balance on accounts
      for each row execute function accounts_guard_balance();
    create trigger ledger_transactions_no_truncate before truncate on ledger_transactions
      for each statement execute function ledger_refuse_change();
    create trigger ledger_entries_no_truncate before truncate on ledger_entries
      for each statement execute function ledger_refuse_change();
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ledger_entries')
  await knex.schema.dropTable('ledger_transactions')
  await knex.schema.dropTable('accounts')
  await knex.raw(`
    drop function ledger_apply_entry();
    drop function ledger_check_balanced();
    drop function ledger_refuse_change();
    drop function accounts_guard_balance();
  `)
}
