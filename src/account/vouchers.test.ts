import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import type { GatewayError } from '../errors.ts'
import { accountId, balanceOf, cabinetBalance, cabinetHistory } from '../ledger/index.ts'
import { acceptPayment } from '../payments/accept.ts'
import { isPaymentCode, luhnCheckDigit } from '../payments/code.ts'
import { postAcceptedPayments } from '../payments/post.ts'
import { holderFactory } from './testkit.ts'
import {
  issueVouchers, outstandingVouchers, recordVoucherSales, redeemCode,
} from './index.ts'

const ctx = useDb(test, { min: 0, max: 40 })

async function vouchersBalance() {
  return balanceOf(ctx.db, await accountId(ctx.db, { kind: 'vouchers' }))
}

async function oneCode(batch: string, amount = 1000n): Promise<string> {
  const issued = await issueVouchers(ctx.db, { provider: 'kiosk', amount, count: 1, batch })
  return (issued.vouchers[0] as { code: string }).code
}

// A valid-looking code no voucher or payment has.
function strangerCode(): string {
  const body = '9'.repeat(14)
  return body + String(luhnCheckDigit(body))
}

test.serial('a batch moves count × amount from the provider into vouchers, one code each',
  async (t) => {
    const before = await vouchersBalance()
    const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'milli' })
    const batch = await issueVouchers(ctx.db, { provider: 'milli', amount: 1000n, count: 250,
      batch: 'milli-test-1' })
    t.is(batch.vouchers.length, 250)
    t.is(new Set(batch.vouchers.map((v) => v.code)).size, 250)
    t.true(batch.vouchers.every((v) => isPaymentCode(v.code) && v.amount === 1000n
      && v.state === 'issued' && v.provider === 'milli'))
    t.is(await vouchersBalance() - before, 250_000n)
    t.is(await balanceOf(ctx.db, clearing), -250_000n)
    const outstanding = await outstandingVouchers(ctx.db)
    t.is(outstanding.total, await vouchersBalance())
  })

test('issuing a batch again returns its codes; other content under its name is refused',
  async (t) => {
    const first = await issueVouchers(ctx.db, { provider: 'kiosk', amount: 500n, count: 3,
      batch: 'again-1' })
    const second = await issueVouchers(ctx.db, { provider: 'kiosk', amount: 500n, count: 3,
      batch: 'again-1' })
    t.true(second.replayed)
    t.deepEqual(second.vouchers.map((v) => v.code), first.vouchers.map((v) => v.code))
    const err = await t.throwsAsync<GatewayError>(issueVouchers(ctx.db,
      { provider: 'kiosk', amount: 500n, count: 4, batch: 'again-1' }))
    t.is(err?.code, 'idempotency_conflict')
    t.is((await ctx.db('vouchers').where({ batch: 'again-1' })).length, 3)
  })

test('a batch of zero codes or with an odd name is refused', async (t) => {
  for (const req of [{ count: 0, batch: 'zero' }, { count: 1, batch: 'no spaces' },
    { count: 1, batch: '' }]) {
    const err = await t.throwsAsync<GatewayError>(issueVouchers(ctx.db,
      { provider: 'kiosk', amount: 100n, ...req }))
    t.is(err?.code, 'bad_request')
  }
})

test('redeeming a code adds its amount once and shows the code in the credits', async (t) => {
  const cab = await holderFactory(ctx.db)
  const code = await oneCode('redeem-once', 1250n)
  const spaced = `${code.slice(0, 5)} ${code.slice(5, 10)}-${code.slice(10)}`
  const won = await redeemCode(ctx.db, cab.id, spaced)
  t.like(won, { ok: true, code, amount: 1250n })
  t.is(await cabinetBalance(ctx.db, cab.id), 1250n)
  const credits = await cabinetHistory(ctx.db, cab.id, { direction: 'credits' })
  t.is(credits.rows[0]?.metadata.paymentCode, code)
  t.is(credits.rows[0]?.kind, 'code_redeem')
  t.like(await redeemCode(ctx.db, cab.id, code), { ok: false, reason: 'redeemed_here' })
  const other = await holderFactory(ctx.db)
  t.like(await redeemCode(ctx.db, other.id, code), { ok: false, reason: 'redeemed' })
  t.is(await cabinetBalance(ctx.db, cab.id), 1250n)
  t.is(await cabinetBalance(ctx.db, other.id), 0n)
})

test('wrong length, wrong check digit and an unknown code are told apart', async (t) => {
  const cab = await holderFactory(ctx.db)
  const code = await oneCode('typos')
  const lastDigit = Number(code.slice(-1))
  const typo = code.slice(0, -1) + String((lastDigit + 1) % 10)
  t.like(await redeemCode(ctx.db, cab.id, code.slice(0, 14)), { ok: false, reason: 'format' })
  t.like(await redeemCode(ctx.db, cab.id, `${code}1`), { ok: false, reason: 'format' })
  t.like(await redeemCode(ctx.db, cab.id, 'abc'), { ok: false, reason: 'format' })
  t.like(await redeemCode(ctx.db, cab.id, typo), { ok: false, reason: 'check_digit' })
  t.like(await redeemCode(ctx.db, cab.id, strangerCode()), { ok: false, reason: 'unknown' })
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})

test.serial('twenty cabinets racing for one code: exactly one wins', async (t) => {
  const code = await oneCode('race', 700n)
  const before = await vouchersBalance()
  const cabs = await Promise.all(Array.from({ length: 20 }, () => holderFactory(ctx.db)))
  const outcomes = await Promise.all(cabs.map((c) => redeemCode(ctx.db, c.id, code)))
  const winners = outcomes.filter((o) => o.ok)
  t.is(winners.length, 1)
  t.true(outcomes.every((o) => o.ok || o.reason === 'redeemed'))
  const balances = await Promise.all(cabs.map((c) => cabinetBalance(ctx.db, c.id)))
  t.is(balances.reduce((a, b) => a + b, 0n), 700n)
  t.is(before - await vouchersBalance(), 700n)
  const row = await ctx.db('vouchers').where({ code }).first()
  t.is(row.state, 'redeemed')
  t.not(row.redeemed_transaction_id, null)
  t.is((await ctx.db('ledger_transactions').where({ idempotency_key: `redeem:${code}` }))
    .length, 1)
})

test('a blocked cabinet cannot redeem, and the code stays available', async (t) => {
  const cab = await holderFactory(ctx.db, { blocked: true })
  const code = await oneCode('blocked')
  t.like(await redeemCode(ctx.db, cab.id, code), { ok: false, reason: 'blocked' })
  const other = await holderFactory(ctx.db)
  t.like(await redeemCode(ctx.db, other.id, code), { ok: true })
})

test('a payment credited to a cabinet is not a voucher, and says so', async (t) => {
  const payer = await holderFactory(ctx.db)
  const accepted = await acceptPayment(ctx.db, { provider: 'milli', externalId: 'direct-1',
    source: 'terminal', payerRef: String(payer.number), account: String(payer.number),
    cabinetId: payer.id, amount: 900n })
  await postAcceptedPayments(ctx.db, { ids: [accepted.payment.id], limit: 10 })
  const someoneElse = await holderFactory(ctx.db)
  t.like(await redeemCode(ctx.db, someoneElse.id, accepted.payment.paymentCode),
    { ok: false, reason: 'direct_credit' })
  t.is(await cabinetBalance(ctx.db, someoneElse.id), 0n)
  t.is(await cabinetBalance(ctx.db, payer.id), 900n)
})

test.serial('a voucher bought at a terminal is pending until posted, then redeemable once',
  async (t) => {
    const before = await vouchersBalance()
    const sold = await acceptPayment(ctx.db, { provider: 'milli', externalId: 'sale-1',
      source: 'terminal', target: 'voucher', payerRef: '', account: '', cabinetId: null,
      amount: 2000n })
    const code = sold.payment.paymentCode
    const cab = await holderFactory(ctx.db)
    t.like(await redeemCode(ctx.db, cab.id, code), { ok: false, reason: 'pending' })
    await postAcceptedPayments(ctx.db, { ids: [sold.payment.id], limit: 10 })
    t.is(await vouchersBalance() - before, 2000n)
    const issued = await ctx.db('vouchers').where({ code }).first()
    t.is(issued?.state, 'issued', 'the worker records the voucher as it posts the payment')
    t.like(await redeemCode(ctx.db, cab.id, code), { ok: true, amount: 2000n })
    t.is(await vouchersBalance(), before)
    const row = await ctx.db('vouchers').where({ code }).first()
    t.is(row.payment_id, sold.payment.id)
    t.is(row.provider, 'milli')
  })

test('recording the same terminal sale twice keeps one voucher', async (t) => {
  const sold = await acceptPayment(ctx.db, { provider: 'milli', externalId: 'sale-2',
    source: 'terminal', target: 'voucher', payerRef: '', account: '', cabinetId: null,
    amount: 300n })
  await postAcceptedPayments(ctx.db, { ids: [sold.payment.id], limit: 10 })
  const p = await ctx.db('payments').where({ id: sold.payment.id }).first()
  const sale = { paymentId: p.id, code: p.payment_code, amount: p.amount, provider: p.provider,
    transactionId: p.ledger_transaction_id }
  await recordVoucherSales(ctx.db, [sale])
  await recordVoucherSales(ctx.db, [sale])
  t.is((await ctx.db('vouchers').where({ code: p.payment_code })).length, 1)
})

test.after('the vouchers account holds exactly the unredeemed vouchers', async (t) => {
  const outstanding = await outstandingVouchers(ctx.db)
  const unrecorded = await ctx.db('payments as p')
    .leftJoin('vouchers as v', 'v.code', 'p.payment_code')
    .where({ 'p.target': 'voucher', 'p.state': 'posted' }).whereNull('v.id')
    .first(ctx.db.raw('coalesce(sum(p.amount), 0)::bigint as total'))
  t.is(outstanding.total + (unrecorded.total as bigint), await vouchersBalance())
})
