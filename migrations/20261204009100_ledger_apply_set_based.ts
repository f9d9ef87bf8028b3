import type { Knex } from 'knex'

// The statement-level apply trigger updated tracked accounts one UPDATE per
// account from a PL/pgSQL loop: a batch of 500 credits ran about 500
// statements. Now the accounts are locked in id order by one locking SELECT
// (the lock node sits above the sort, so locks are taken in that order and
// concurrent statements cannot deadlock), then changed by one UPDATE. A
// posting that needs several statements locks all its accounts in id order
// first (src/ledger/post.ts).

// Each account's change in a statement's new entries: the same in both versions.
const deltas = `sum(n.amount) as delta,
  coalesce(sum(n.amount) filter (where n.amount > 0), 0) as ct,
  count(*) filter (where n.amount > 0) as cc,
  coalesce(-sum(n.amount) filter (where n.amount < 0), 0) as dt,
  count(*) filter (where n.amount < 0) as dc`

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function ledger_apply_entries() returns trigger language plpgsql as $$
    begin
      perform 1 from accounts a
        where a.tracked and a.id in (select n.account_id from new_entries n)
        order by a.id
        for no key update;
      update accounts a set balance = a.balance + d.delta,
          credits_total = a.credits_total + d.ct, credits_count = a.credits_count + d.cc,
          debits_total = a.debits_total + d.dt, debits_count = a.debits_count + d.dc
        from (
          select n.account_id,
              ${deltas}
            from new_entries n group by n.account_id
        ) d
        where a.id = d.account_id and a.tracked;
      return null;
    end $$;
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function ledger_apply_entries() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in
        select n.account_id,
            ${deltas}
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
  `)
}
