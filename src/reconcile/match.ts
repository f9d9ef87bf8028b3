import type { Db, Trx } from '../db.ts'
import type { Qepik } from '../money.ts'

/** How one registry line or one of our payments came out of matching. */
export const categories = [
  'matched',
  'missing_ours',
  'missing_theirs',
  'amount_mismatch',
  'payer_mismatch',
  'status_mismatch',
  'duplicate_theirs',
  'duplicate_ours',
  'late',
] as const
export type Category = (typeof categories)[number]

export interface CategoryTotal {
  category: Category
  count: bigint
  oursSum: Qepik
  theirsSum: Qepik
}

/** The provider-local business day as an interval of instants, [start, end). */
export interface DayWindow {
  start: Date
  end: Date
  /** The same bounds as provider-local wall times, `YYYY-MM-DD HH:MM:SS`. */
  startLocal: string
  endLocal: string
}

export async function dayWindow(trx: Db | Trx, day: string, zone: string, cutoff: string)
  : Promise<DayWindow> {
  // A day with a cut-off of 23:00 runs from 23:00 the day before to 23:00 that day.
  const first = cutoff === '00:00' ? day : null
  const { rows } = await trx.raw(`
    with b as (
      select (coalesce(?::date, ?::date - 1) + ?::time) as s,
             (coalesce(?::date + 1, ?::date) + ?::time) as e)
    select b.s at time zone ? as start, b.e at time zone ? as end,
      to_char(b.s, 'YYYY-MM-DD HH24:MI:SS') as start_local,
      to_char(b.e, 'YYYY-MM-DD HH24:MI:SS') as end_local
    from b`, [first, day, cutoff, first, day, cutoff, zone, zone])
  const r = rows[0]
  return { start: r.start, end: r.end, startLocal: r.start_local, endLocal: r.end_local }
}

// The SQL twin of normaliseRef: no spaces or dashes, Cyrillic look-alikes as Latin, capitals.
const norm = (col: string) => `upper(translate(
  regexp_replace(${col}, '[\\s\\u200b\\u2010-\\u2015\\u2212-]', '', 'g'),
  'АВЕКМНОРСТУХавекмнорстухİı', 'ABEKMHOPCTYXABEKMHOPCTYXII'))`

/**
 * Matches the staged registry with our payments of the provider by the
 * provider's transaction id, as a full outer join in Postgres. Ours are the
 * payments whose provider time (or, without one, receipt time) falls in the
 * day, plus any payment whose id the registry names, whatever its day.
 */
export async function match(trx: Trx, provider: string, zone: string, w: DayWindow)
  : Promise<void> {
  await trx.raw(`create temp table recon_theirs on commit drop as
    select distinct on (external_id) line, external_id, account, amount, local_time,
      local_time at time zone ? as at
    from recon_lines order by external_id, line`, [zone])
  await trx.raw('create index on recon_theirs (external_id)')
  await trx.raw(`create temp table recon_ours on commit drop as
    select p.id, p.external_id, p.payer_ref, p.amount, p.state,
      coalesce(p.provider_time, p.received_at) as at
    from payments p
    where p.provider = :provider and (
      (p.provider_time >= :start and p.provider_time < :end)
      or (p.provider_time is null and p.received_at >= :start and p.received_at < :end))
    union
    select p.id, p.external_id, p.payer_ref, p.amount, p.state,
      coalesce(p.provider_time, p.received_at)
    from payments p join recon_theirs t on t.external_id = p.external_id
    where p.provider = :provider`, { provider, start: w.start, end: w.end })
  await trx.raw('analyze recon_theirs')
  await trx.raw('analyze recon_ours')
  await trx.raw(`create temp table recon_result on commit drop as
    select
      case
        when t.external_id is null then 'missing_theirs'
        when o.id is null then 'missing_ours'
        when o.state = 'reversed' then 'status_mismatch'
        when o.amount <> t.amount then 'amount_mismatch'
        when ${norm('o.payer_ref')} <> ${norm('t.account')} then 'payer_mismatch'
        when t.at < :start or t.at >= :end or o.at < :start or o.at >= :end then 'late'
        else 'matched'
      end as category,
      coalesce(t.external_id, o.external_id) as external_id, t.line, o.id as payment_id,
      t.amount as theirs_amount, o.amount as ours_amount, t.account as theirs_account,
      o.payer_ref as ours_payer, ${norm('o.payer_ref')} as payer_norm,
      t.local_time as theirs_local, o.at as ours_at, o.state as ours_state,
      null::text as related
    from recon_theirs t full join recon_ours o on o.external_id = t.external_id
    where not (t.external_id is null and o.state = 'reversed')
    union all
    select 'duplicate_theirs', l.external_id, l.line, null, l.amount, null, l.account,
      null, null, l.local_time, null, null, t.line::text
    from recon_lines l join recon_theirs t on t.external_id = l.external_id and l.line <> t.line`,
  { start: w.start, end: w.end })
  await markDuplicatesOfOurs(trx)
}

// A payment of ours missing from the registry, next to a matched one of the same
// payer and amount within ten minutes, is most likely a network's retry under a new id.
async function markDuplicatesOfOurs(trx: Trx): Promise<void> {
  await trx.raw(`update recon_result r set category = 'duplicate_ours', related = d.related
    from (
      select distinct on (m.payment_id) m.payment_id, o.external_id as related
      from recon_result m join recon_result o
        on o.payer_norm = m.payer_norm and o.ours_amount = m.ours_amount
        and o.line is not null and o.payment_id is not null
        and o.ours_at between m.ours_at - interval '10 minutes'
                          and m.ours_at + interval '10 minutes'
      where m.category = 'missing_theirs'
      order by m.payment_id, o.external_id
    ) d
    where r.category = 'missing_theirs' and r.payment_id = d.payment_id`)
}

export async function totals(trx: Trx): Promise<CategoryTotal[]> {
  const { rows } = await trx.raw(`select category, count(*) as count,
      coalesce(sum(ours_amount), 0)::bigint as ours_sum,
      coalesce(sum(theirs_amount), 0)::bigint as theirs_sum
    from recon_result group by category`)
  const found = new Map<string, { count: bigint; ours_sum: bigint; theirs_sum: bigint }>(
    rows.map((r: { category: string }) => [r.category, r]))
  return categories.map((category) => {
    const r = found.get(category)
    return { category, count: r?.count ?? 0n, oursSum: r?.ours_sum ?? 0n,
      theirsSum: r?.theirs_sum ?? 0n }
  })
}

/** One discrepancy, as reported and as marked for review. */
export interface Item {
  category: Category | 'malformed'
  externalId: string | null
  line: number | null
  paymentId: bigint | null
  theirsAmount: Qepik | null
  oursAmount: Qepik | null
  theirsAccount: string | null
  oursPayer: string | null
  theirsTime: string | null
  oursTime: string | null
  oursState: string | null
  note: string | null
}

const rankSql = `array_position(array[${categories.map((c) => `'${c}'`).join(',')}],
  category)`

/** Opens a cursor over the discrepancies, in a fixed order, and reads it page by page. */
export async function* items(trx: Trx, zone: string, pageSize = 2000)
  : AsyncGenerator<Item[]> {
  await trx.raw(`declare recon_items no scroll cursor for select * from (
    select category, external_id, line, payment_id, theirs_amount, ours_amount,
      theirs_account, ours_payer,
      to_char(theirs_local, 'YYYY-MM-DD HH24:MI:SS') as theirs_time,
      to_char(ours_at at time zone ?, 'YYYY-MM-DD HH24:MI:SS') as ours_time,
      ours_state, case category
        when 'duplicate_theirs' then 'same id as line ' || related
        when 'duplicate_ours' then 'same payer and amount as ' || related end as note
    from recon_result where category <> 'matched'
    union all
    select 'malformed', null, line, null, null, null, null, null, null, null, null,
      reason || ': ' || text
    from recon_malformed) u
    order by category = 'malformed' desc, ${rankSql}, external_id, line, payment_id`, [zone])
  try {
    for (;;) {
      const { rows } = await trx.raw(`fetch forward ${pageSize} from recon_items`)
      if (!rows.length) return
      yield rows.map(toItem)
    }
  } finally {
    await trx.raw('close recon_items')
  }
}

function toItem(r: Record<string, unknown>): Item {
  return {
    category: r.category as Item['category'],
    externalId: r.external_id as string | null,
    line: r.line as number | null,
    paymentId: r.payment_id as bigint | null,
    theirsAmount: r.theirs_amount as bigint | null,
    oursAmount: r.ours_amount as bigint | null,
    theirsAccount: r.theirs_account as string | null,
    oursPayer: r.ours_payer as string | null,
    theirsTime: r.theirs_time as string | null,
    oursTime: r.ours_time as string | null,
    oursState: r.ours_state as string | null,
    note: r.note as string | null,
  }
}
