import type { Knex } from 'knex'

// Credit and debit totals kept beside a tracked account's balance, so history
// pages show their totals without summing every entry of a busy cabinet.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table accounts
      add column credits_total bigint not null default 0,
      add column credits_count bigint not null default 0,
      add column debits_total bigint not null default 0,
      add column debits_count bigint not null default 0;

    create or replace function ledger_apply_entry() returns trigger language plpgsql as $$
    begin
      update accounts set balance = balance + new.amount,
          credits_total = credits_total + greatest(new.amount, 0),
          credits_count = credits_count + (new.amount > 0)::int,
          debits_total = debits_total + greatest(-new.amount, 0),
          debits_count = debits_count + (new.amount < 0)::int
        where id = new.account_id and tracked;
      return new;
    end $$;

    create or replace function accounts_guard_balance() returns trigger language plpgsql as $$
    begin
      if pg_trigger_depth() <= 1 and (new.balance, new.credits_total, new.credits_count,
          new.debits_total, new.debits_count) is distinct from (old.balance,
          old.credits_total, old.credits_count, old.debits_total, old.debits_count) then
        raise exception 'accounts.balance changes only through ledger entries'
          using errcode = '42501';
      end if;
      return new;
    end $$;
    drop trigger accounts_balance_guard on accounts;
    create trigger accounts_balance_guard
      before update of balance, credits_total, credits_count, debits_total, debits_count
      on accounts for each row execute function accounts_guard_balance();
  `)
  // Existing entries, counted once; the guard admits it from this nested level.
  await knex.raw('alter table accounts disable trigger accounts_balance_guard')
  await knex.raw(`update accounts a set
      credits_total = s.ct, credits_count = s.cc, debits_total = s.dt, debits_count = s.dc
    from (select account_id,
        coalesce(sum(amount) filter (where amount > 0), 0) as ct,
        count(*) filter (where amount > 0) as cc,
        coalesce(-sum(amount) filter (where amount < 0), 0) as dt,
        count(*) filter (where amount < 0) as dc
      from ledger_entries group by account_id) s
    where s.account_id = a.id and a.tracked`)
  await knex.raw('alter table accounts enable trigger accounts_balance_guard')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger accounts_balance_guard on accounts;
    create or replace function ledger_apply_entry() returns trigger language plpgsql as $$
    begin
      update accounts set balance = balance + new.amount
        where id = new.account_id and tracked;
      return new;
    end $$;
    create or replace function accounts_guard_balance() returns trigger language plpgsql as $$
    begin
      if pg_trigger_depth() <= 1 and new.balance is distinct from old.balance then
        raise exception 'accounts.balance changes only through ledger entries'
          using errcode = '42501';
      end if;
      return new;
    end $$;
    create trigger accounts_balance_guard before update of balance on accounts
      for each row execute function accounts_guard_balance();
    alter table accounts drop column credits_total, drop column credits_count,
      drop column debits_total, drop column debits_count;
  `)
}
