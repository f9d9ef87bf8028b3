import test from 'ava'
import fc from 'fast-check'
import { DateTime } from 'luxon'
import { localTimeToUtc } from './localtime.ts'

const format = 'yyyyMMddHHmmss'
const zones = ['Asia/Baku', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe',
  'Asia/Kathmandu', 'UTC']

test('agrees with luxon on which local times exist, and round-trips those that do', (t) => {
  const digits = (n: number, w: number) => String(n).padStart(w, '0')
  fc.assert(fc.property(
    fc.integer({ min: 1995, max: 2035 }), fc.integer({ min: 1, max: 13 }),
    fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }),
    fc.constantFrom(...zones),
    (y, mo, d, h, mi, s, zone) => {
      const raw = digits(y, 4) + digits(mo, 2) + digits(d, 2) + digits(h, 2) + digits(mi, 2)
        + digits(s, 2)
      const lux = DateTime.fromFormat(raw, format, { zone })
      const exists = lux.isValid && lux.toFormat(format) === raw
      const ours = localTimeToUtc(raw, zone)
      if (!exists) return ours === undefined
      return ours !== undefined
        && DateTime.fromJSDate(ours, { zone }).toFormat(format) === raw
    }), { numRuns: 20_000 })
  t.pass()
})

test('daylight-saving edges: a skipped hour does not exist, a repeated one reads first', (t) => {
  // Berlin skips 02:00-03:00 on 31 March 2024 and repeats 02:00-03:00 on 27 October.
  t.is(localTimeToUtc('20240331023000', 'Europe/Berlin'), undefined)
  t.is(localTimeToUtc('20240331015959', 'Europe/Berlin')?.toISOString(), '2024-03-31T00:59:59.000Z')
  t.is(localTimeToUtc('20240331030000', 'Europe/Berlin')?.toISOString(), '2024-03-31T01:00:00.000Z')
  t.is(localTimeToUtc('20241027023000', 'Europe/Berlin')?.toISOString(), '2024-10-27T00:30:00.000Z')
  // Baku kept summer time until 2015.
  t.is(localTimeToUtc('20150701120000', 'Asia/Baku')?.toISOString(), '2015-07-01T07:00:00.000Z')
  t.is(localTimeToUtc('20160701120000', 'Asia/Baku')?.toISOString(), '2016-07-01T08:00:00.000Z')
})

test('malformed or impossible digits are no time at all', (t) => {
  for (const raw of ['2024013123593', '202401312359300', '2024-01-31 235', '20240230000000',
    '20241301000000', '20240131240000', '20240131236000', '20240131235960', '00000000000000']) {
    t.is(localTimeToUtc(raw, 'Asia/Baku'), undefined, raw)
  }
  t.is(localTimeToUtc('00500101000000', 'UTC')?.getUTCFullYear(), 50)
  t.throws(() => localTimeToUtc('20240101000000', 'Mars/Olympus'), { instanceOf: RangeError })
})
