import type { Knex } from 'knex'

// An expired card order may still become paid: the sweeper expires an order
// only when the processor said it was not paid, but a payment the processor
// later reports (a late callback, an operator's query) must be credited, not
// lost. Paid still never goes back. Waiting orders whose next check an older
// release pushed out (callbacks used to advance the backoff) are due now.
const forwardOnly = (extra: string) => `
  create or replace function card_orders_forward_only() returns trigger language plpgsql as $$
  begin
    if new.state = old.state
      or (old.state = 'created' and new.state in ('redirected', 'paid', 'declined', 'expired'))
      or (old.state = 'redirected' and new.state in ('paid', 'declined', 'expired'))
      ${extra}
      or (old.state = 'paid' and new.state = 'reversed') then
      return new;
    end if;
    raise exception 'card order % cannot go from % to %', old.id, old.state, new.state
      using errcode = '23514';
  end $$;`

export async function up(knex: Knex): Promise<void> {
  await knex.raw(forwardOnly("or (old.state = 'expired' and new.state = 'paid')"))
  await knex.raw(`update card_orders set next_check_at = now()
    where state in ('created', 'redirected') and next_check_at > now()`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(forwardOnly(''))
}
