import type { Writable } from 'node:stream'
import type { Db, Trx } from '../db.ts'
import { formatAmount, type Qepik } from '../money.ts'
import { dayWindow, type DayWindow } from './match.ts'
import type { RegistryFormat, RegistryProfile } from './profile.ts'
import { csvCell, write } from './report.ts'

interface Row {
  external_id: string
  payer_ref: string
  amount: Qepik
  local_date: string
  local_time: string
}

interface Encoder {
  head(total: { count: bigint; sum: Qepik }): string
  row(r: Row): string
  tail(total: { count: bigint; sum: Qepik }): string
}

// eslint-disable-next-line no-control-regex
const flat = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, ' ')
const dotted = (isoDay: string) => isoDay.split('-').reverse().join('.')
const xmlAttr = (s: string) => flat(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
  .replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Our registry in the provider's own format, as the reconcile parsers read it back. */
function encoders(provider: string, day: string): Record<RegistryFormat, Encoder> {
  return {
    'qiwi-tsv': {
      head: () => '',
      row: (r) => `${r.external_id}\t${dotted(r.local_date)}\t${r.local_time}\t`
        + `${flat(r.payer_ref)}\t${formatAmount(r.amount)}\n`,
      tail: (t) => `Total: ${t.count} ${formatAmount(t.sum)}\n`,
    },
    csv: {
      head: () => 'txn_id,date,time,account,amount\n',
      row: (r) => `${[r.external_id, r.local_date, r.local_time, flat(r.payer_ref),
        formatAmount(r.amount)].map(csvCell).join(',')}\n`,
      tail: (t) => `Total:,${t.count},${formatAmount(t.sum)}\n`,
    },
    xml: {
      head: (t) => '<?xml version="1.0" encoding="UTF-8"?>\n'
        + `<registry provider="${xmlAttr(provider)}" date="${day}" count="${t.count}" `
        + `total="${formatAmount(t.sum)}">\n`,
      row: (r) => `  <payment txn_id="${xmlAttr(r.external_id)}" date="${r.local_date}" `
        + `time="${r.local_time}" account="${xmlAttr(r.payer_ref)}" `
        + `amount="${formatAmount(r.amount)}"/>\n`,
      tail: () => '</registry>\n',
    },
  }
}

const ofTheDay = `from payments
  where provider = :provider and state in ('accepted', 'posted') and (
    (provider_time >= :start and provider_time < :end)
    or (provider_time is null and received_at >= :start and received_at < :end))`

/**
 * Writes our successful payments of a provider's day (in its zone and with its
 * cut-off, the same day reconcile uses) in the given format, oldest first.
 * The file is UTF-8 whatever the profile's encoding.
 */
export async function exportRegistry(db: Db, o: { profile: RegistryProfile; day: string;
  format?: RegistryFormat; out: Writable }): Promise<{ count: bigint; sum: Qepik }> {
  const { provider, timeZone: zone } = o.profile
  const enc = encoders(provider, o.day)[o.format ?? o.profile.format]
  // One snapshot, so the trailer agrees with the lines under concurrent payments.
  return await db.transaction(async (trx) => {
    const w = await dayWindow(trx, o.day, zone, o.profile.cutoff)
    const bind = { provider, start: w.start, end: w.end }
    const { rows } = await trx.raw(`select count(*) as count,
      coalesce(sum(amount), 0)::bigint as sum ${ofTheDay}`, bind)
    const total = { count: rows[0].count as bigint, sum: rows[0].sum as bigint }
    await write(o.out, enc.head(total))
    for await (const batch of dayRows(trx, w, provider, zone)) {
      await write(o.out, batch.map(enc.row).join(''))
    }
    await write(o.out, enc.tail(total))
    return total
  }, { isolationLevel: 'repeatable read', readOnly: true })
}

async function* dayRows(trx: Trx, w: DayWindow, provider: string, zone: string)
  : AsyncGenerator<Row[]> {
  await trx.raw(`declare registry_rows no scroll cursor for
    select external_id, payer_ref, amount,
      to_char(coalesce(provider_time, received_at) at time zone :zone, 'YYYY-MM-DD')
        as local_date,
      to_char(coalesce(provider_time, received_at) at time zone :zone, 'HH24:MI:SS')
        as local_time
    ${ofTheDay}
    order by coalesce(provider_time, received_at), external_id`,
  { provider, start: w.start, end: w.end, zone })
  for (;;) {
    const { rows } = await trx.raw('fetch forward 2000 from registry_rows')
    if (!rows.length) return
    yield rows as Row[]
  }
}
