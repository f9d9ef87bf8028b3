import type { Knex } from 'knex'

// The ledger's checks run once per INSERT statement instead of once per entry:
// a batch of 500 credits touches each account row once and checks balance
// once. Every statement must carry all legs of the transactions it writes,
// so each transaction's legs within one statement sum to zero.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger ledger_entries_apply on ledger_entries;
    drop trigger ledger_entries_balanced on ledger_entries;

    create function ledger_apply_entries() returns trigger language plpgsql as $$
    declare r record;
    begin
      -- One update per account, in account order, so concurrent postings lock
      -- rows in the same order and cannot deadlock each other.
      for r in
        select n.account_id,
            sum(n.amount) as delta,
            coalesce(sum(n.amount) filter (where n.amount > 0), 0) as ct,
            count(*) filter (where n.amount > 0) as cc,
            coalesce(-sum(n.amount) filter (where n.amount < 0), 0) as dt,
            count(*) filter (where n.amount < 0) as dc
          from new_entries n join accounts a on a.id = n.account_id and a.tracked
          group by n.account_id order by n.account_id
      loop
        update accounts set balance = balance + r.delta,
            credits_total = credits_total + r.ct, credits_count = credits_count + r.cc,
            debits_total = debits_total + r.dt, debits_count = debits_count + r.dc
          where id = r.account_id;
      end loop;
      return null;
    end $$;
    create trigger ledger_entries_apply after insert on ledger_entries
      referencing new table as new_entries
      for each statement execute function ledger_apply_entries();

    create function ledger_check_statement_balanced() returns trigger language plpgsql as $$
    declare bad bigint;
    begin
      select transaction_id into bad from new_entries
        group by transaction_id having sum(amount) <> 0 limit 1;
      if found then
        raise exception 'ledger transaction % does not balance', bad using errcode = '23514';
      end if;
      return null;
    end $$;
    create trigger ledger_entries_balanced after insert on ledger_entries
      referencing new table as new_entries
      for each statement execute function ledger_check_statement_balanced();
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger ledger_entries_apply on ledger_entries;
    drop trigger ledger_entries_balanced on ledger_entries;
    drop function ledger_apply_entries();
    drop function ledger_check_statement_balanced();
    create trigger ledger_entries_apply after insert on ledger_entries
      for each row execute function ledger_apply_entry();
    create constraint trigger ledger_entries_balanced after insert on ledger_entries
      deferrable initially deferred
      for each row execute function ledger_check_balanced();
  `)
}
