import test from 'ava'
import { redeemCode } from '../../src/account/index.ts'
import {
  nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf, startHarness, tagOf,
  testPrefix, waitFor, type Harness,
} from '../../src/http/testkit.ts'
import { accountId, balanceOf, cabinetBalance } from '../../src/ledger/index.ts'
import { isPaymentCode } from '../../src/payments/code.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

let h: Harness
let tdb: TestDb
let serial = 7000

test.before(async () => {
  tdb = await freshDb()
  h = await startHarness({ db: tdb.db, worker: true, prefix: testPrefix('voucher'),
    providers: providersOf({
      codes: osmpNetwork({ sells: 'voucher' }),
      codesm: osmpNetwork({ sells: 'voucher', replyName: 'addinfo' }),
    }) })
})
test.after.always(async () => {
  await h?.close()
  if (tdb) await dropDb(tdb)
})

function pay(extra: Record<string, string> = {}) {
  serial += 1
  return { command: 'pay', txn_id: String(serial), account: '0501234567', sum: '20.00',
    txn_date: '20261204101500', ...extra }
}

const codeField = (body: string) => /<field1 name="code">(\d+)<\/field1>/.exec(body)?.[1]

test.serial('a voucher network checks no payer and sells a code that any cabinet redeems once',
  async (t) => {
    const check = await osmp(h.url, 'codes', { ...pay(), command: 'check' })
    t.is(resultOf(check.body), 0)
    t.false(check.body.includes('name="name"'))

    const params = pay()
    const sold = await osmp(h.url, 'codes', params)
    t.is(resultOf(sold.body), 0)
    t.is(tagOf(sold.body, 'sum'), '20.00')
    const code = codeField(sold.body) ?? ''
    t.true(isPaymentCode(code))
    const again = await osmp(h.url, 'codes', params)
    t.is(again.body, sold.body, 'a repeated pay gets the same code')

    const row = await tdb.db('payments').where({ payment_code: code }).first()
    t.like(row, { target: 'voucher', cabinet_id: null, payer_ref: '0501234567', amount: 2000n })
    await waitFor(async () => Boolean(await tdb.db('vouchers').where({ code }).first()))
    const vouchers = await accountId(tdb.db, { kind: 'vouchers' })
    t.is(await balanceOf(tdb.db, vouchers), 2000n)
    t.is(await balanceOf(tdb.db, await accountId(tdb.db, { kind: 'clearing',
      provider: 'codes' })), -2000n)

    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    t.like(await redeemCode(tdb.db, cab.id, code), { ok: true, amount: 2000n })
    t.is(await cabinetBalance(tdb.db, cab.id), 2000n)
    t.is(await balanceOf(tdb.db, vouchers), 0n)
    const other = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    t.like(await redeemCode(tdb.db, other.id, code), { ok: false, reason: 'redeemed' })
  })

test('a network that shows names in addinfo gets the code there', async (t) => {
  const sold = await osmp(h.url, 'codesm', pay())
  t.is(resultOf(sold.body), 0)
  t.true(isPaymentCode(tagOf(sold.body, 'addinfo') ?? ''))
})

test('the same txn_id asking for another sum is refused and sells nothing', async (t) => {
  const params = pay()
  t.is(resultOf((await osmp(h.url, 'codes', params)).body), 0)
  const other = await osmp(h.url, 'codes', { ...params, sum: '25.00' })
  t.not(resultOf(other.body), 0)
  t.is(codeField(other.body), undefined)
  t.is((await tdb.db('payments').where({ provider: 'codes', external_id: params.txn_id }))
    .length, 1)
})
