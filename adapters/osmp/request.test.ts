import test from 'ava'
import { GatewayError } from '../../src/errors.ts'
import { osmpNetwork } from '../../src/http/testkit.ts'
import { osmpOptions } from './options.ts'
import { collectParams, parseTxnDate, requireSum } from './request.ts'

const options = osmpOptions.parse(osmpNetwork({ minSum: '1.00', maxSum: '500.00' }))

function code(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    return err instanceof GatewayError ? err.code : 'thrown'
  }
}

test('sums are parsed strictly into qəpik, within the limits', (t) => {
  t.is(requireSum({ sum: '10.45' }, options, 500_000n), 1045n)
  t.is(requireSum({ sum: '10.5' }, options, 500_000n), 1050n)
  t.is(requireSum({ sum: '1' }, options, 500_000n), 100n)
  t.is(requireSum({ sum: '10.45', ccy: '944' }, options, 500_000n), 1045n)
  const table: Array<[string | undefined, string]> = [
    [undefined, 'bad_request'], ['', 'bad_request'], ['10,45', 'amount_format'],
    ['1 000.00', 'amount_format'], ['10.455', 'amount_format'], ['-5.00', 'amount_format'],
    ['1e3', 'amount_format'], ['0.00', 'amount_too_small'], ['0.99', 'amount_too_small'],
    ['500.01', 'amount_too_large'], [' 10.00', 'amount_format'], ['１０.00', 'amount_format'],
  ]
  for (const [sum, expected] of table) {
    t.is(code(() => requireSum({ sum }, options, 500_000n)), expected, String(sum))
  }
  t.is(code(() => requireSum({ sum: '400.00' }, options, 30_000n)), 'amount_too_large')
  t.is(code(() => requireSum({ sum: '1.00', ccy: 'USD' }, options, 500_000n)), 'currency')
})

test('txn_date is read in the given zone and kept raw', (t) => {
  const table: Array<[string, string, string]> = [
    ['20240131235930', 'Asia/Baku', '2024-01-31T19:59:30.000Z'],
    ['20240229120000', 'Asia/Baku', '2024-02-29T08:00:00.000Z'],
    ['20240101000000', 'Asia/Baku', '2023-12-31T20:00:00.000Z'],
    ['20240131235930', 'Europe/Moscow', '2024-01-31T20:59:30.000Z'],
    ['20240131235930', 'UTC', '2024-01-31T23:59:30.000Z'],
  ]
  for (const [raw, zone, utc] of table) {
    const at = parseTxnDate(raw, zone)
    t.is(at.raw, raw)
    t.is(at.utc.toISOString(), utc, `${raw} ${zone}`)
  }
})

test('impossible or malformed txn_dates are refused', (t) => {
  for (const raw of ['20241301000000', '20230229120000', '20240230000000', '20240131246000',
    '2024013123593', '2024-01-31 23:59', '', undefined]) {
    t.is(code(() => parseTxnDate(raw, 'Asia/Baku')), 'bad_request', String(raw))
  }
  // A local time skipped by a daylight-saving jump does not exist there.
  t.is(code(() => parseTxnDate('20240331023000', 'Europe/Berlin')), 'bad_request')
})

test('parameters come from the query and the body; repeats and conflicts are refused', (t) => {
  t.deepEqual(collectParams({ command: 'check', other: 'x' }, { txn_id: '1' }),
    { command: 'check', txn_id: '1' })
  t.deepEqual(collectParams({ txn_id: '1' }, { txn_id: '1' }), { txn_id: '1' })
  t.is(code(() => collectParams({ txn_id: ['1', '2'] }, {})), 'bad_request')
  t.is(code(() => collectParams({ txn_id: '1' }, { txn_id: '2' })), 'bad_request')
  t.is(code(() => collectParams({}, { sum: { a: '1' } })), 'bad_request')
})
