import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetBalance, cabinetHistory } from '../ledger/index.ts'
import { cabinetNumberFromBase } from '../payers/index.ts'
import { fundCabinet, holderFactory, holderPassword } from './testkit.ts'
import { confirmTransfer, findTransferIntent, startTransfer, transferTokenMs } from './index.ts'

const ctx = useDb(test, { min: 0, max: 40 })

async function pair(funds = 10_000n) {
  const from = await holderFactory(ctx.db)
  const to = await holderFactory(ctx.db, { surname: 'MƏMMƏDOVA', name: 'GÜNEL',
    patronymic: 'ELŞAD QIZI' })
  if (funds > 0n) await fundCabinet(ctx.db, from.id, funds)
  return { from, to }
}

async function begin(fromId: bigint, recipient: bigint | string) {
  const started = await startTransfer(ctx.db, { fromCabinetId: fromId,
    password: holderPassword, recipient: String(recipient) })
  if (!started.ok) throw new Error(`transfer not started: ${started.reason}`)
  return started.intent
}

test('a transfer moves the amount and both histories show it', async (t) => {
  const { from, to } = await pair()
  const intent = await begin(from.id, to.number)
  t.is(intent.toMaskedName, 'MƏMMƏDOVA G. E.')
  t.is(intent.toNumber, to.number)
  const done = await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: intent.token,
    amount: '25.50' })
  t.like(done, { ok: true, replayed: false })
  t.is(await cabinetBalance(ctx.db, from.id), 10_000n - 2550n)
  t.is(await cabinetBalance(ctx.db, to.id), 2550n)
  const debit = (await cabinetHistory(ctx.db, from.id, { direction: 'debits' })).rows[0]
  const credit = (await cabinetHistory(ctx.db, to.id, { direction: 'credits' })).rows[0]
  t.is(debit?.kind, 'transfer')
  t.is(debit?.transactionId, credit?.transactionId)
  t.like(debit?.metadata, { fromCabinet: String(from.number), toCabinet: String(to.number),
    toName: 'MƏMMƏDOVA G. E.', fromName: 'HƏMİDOV V. M.' })
})

test('the password is checked before anything is said about the recipient', async (t) => {
  const { from, to } = await pair()
  for (const recipient of [String(to.number), '12345', 'garbage']) {
    const r = await startTransfer(ctx.db, { fromCabinetId: from.id, password: 'wrong-1',
      recipient })
    t.deepEqual(r, { ok: false, reason: 'wrong_password' })
  }
  t.is(await ctx.db('transfer_intents').where({ from_cabinet: from.id }).count('* as n')
    .first().then((r) => Number(r?.n)), 0)
})

test('a recipient that is malformed, unknown, blocked or oneself is refused', async (t) => {
  const { from } = await pair()
  const blocked = await holderFactory(ctx.db, { blocked: true })
  const typo = String(blocked.number).slice(0, -1)
    + String((Number(String(blocked.number).slice(-1)) + 1) % 10)
  const cases: Array<[string, string]> = [
    ['abc', 'recipient_format'],
    [typo, 'recipient_format'],
    [String(cabinetNumberFromBase(12n)), 'recipient_not_found'],
    [String(blocked.number), 'recipient_blocked'],
    [String(from.number), 'self'],
  ]
  for (const [recipient, reason] of cases) {
    const r = await startTransfer(ctx.db, { fromCabinetId: from.id, password: holderPassword,
      recipient })
    t.deepEqual(r, { ok: false, reason: reason as never }, recipient)
  }
})

test('submitting the confirm form twice moves the money once', async (t) => {
  const { from, to } = await pair()
  const intent = await begin(from.id, to.number)
  const input = { fromCabinetId: from.id, token: intent.token, amount: '10.00' }
  const [a, b, c] = await Promise.all([confirmTransfer(ctx.db, input),
    confirmTransfer(ctx.db, input), confirmTransfer(ctx.db, input)])
  t.is([a, b, c].filter((r) => r.ok && !r.replayed).length, 1)
  t.is([a, b, c].filter((r) => r.ok && r.replayed).length, 2)
  t.is(await cabinetBalance(ctx.db, to.id), 1000n)
  const other = await confirmTransfer(ctx.db, { ...input, amount: '20.00' })
  t.like(other, { ok: false, reason: 'done_with_other_amount' })
  t.like(await confirmTransfer(ctx.db, { ...input, amount: '' }),
    { ok: false, reason: 'done_with_other_amount' })
  t.is(await cabinetBalance(ctx.db, to.id), 1000n)
  t.is(await findTransferIntent(ctx.db, from.id, intent.token), null)
})

test('too little money refuses the transfer and leaves the form usable', async (t) => {
  const { from, to } = await pair(500n)
  const intent = await begin(from.id, to.number)
  const refused = await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: intent.token,
    amount: '5.01' })
  t.deepEqual(refused, { ok: false, reason: 'insufficient_funds' })
  t.truthy(await findTransferIntent(ctx.db, from.id, intent.token))
  t.like(await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: intent.token,
    amount: '5.00' }), { ok: true })
  t.is(await cabinetBalance(ctx.db, from.id), 0n)
})

test('amounts are parsed strictly', async (t) => {
  const { from, to } = await pair()
  const intent = await begin(from.id, to.number)
  const cases: Array<[string, string]> = [['10,00', 'amount_format'], ['1e3', 'amount_format'],
    ['-5', 'amount_format'], ['0', 'amount_too_small'], ['10.001', 'amount_format'],
    ['6000.00', 'amount_too_large']]
  for (const [amount, reason] of cases) {
    t.like(await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: intent.token, amount,
      maxAmount: 500_000n }), { ok: false, reason }, amount)
  }
  t.is(await cabinetBalance(ctx.db, to.id), 0n)
})

test('a token is good only for its own cabinet and only until it expires', async (t) => {
  const { from, to } = await pair()
  const started = new Date(Date.now() - transferTokenMs - 1000)
  const old = await startTransfer(ctx.db, { fromCabinetId: from.id, password: holderPassword,
    recipient: String(to.number) }, started)
  if (!old.ok) return t.fail()
  t.like(await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: old.intent.token,
    amount: '1.00' }), { ok: false, reason: 'expired' })
  const fresh = await begin(from.id, to.number)
  t.like(await confirmTransfer(ctx.db, { fromCabinetId: to.id, token: fresh.token,
    amount: '1.00' }), { ok: false, reason: 'unknown_token' })
  t.like(await confirmTransfer(ctx.db, { fromCabinetId: from.id, token: 'x'.repeat(43),
    amount: '1.00' }), { ok: false, reason: 'unknown_token' })
  t.is(await cabinetBalance(ctx.db, to.id), 0n)
})

test('racing transfers drain a cabinet to zero and never below', async (t) => {
  const { from } = await pair(10_000n)
  const others = await Promise.all(Array.from({ length: 4 }, () => holderFactory(ctx.db)))
  const intents = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    begin(from.id, (others[i % 4] as { number: bigint }).number)))
  const results = await Promise.all(intents.map((intent) => confirmTransfer(ctx.db,
    { fromCabinetId: from.id, token: intent.token, amount: '3.00' })))
  t.is(results.filter((r) => r.ok).length, 33)
  t.true(results.every((r) => r.ok || r.reason === 'insufficient_funds'))
  t.is(await cabinetBalance(ctx.db, from.id), 100n)
  const received = await Promise.all(others.map((o) => cabinetBalance(ctx.db, o.id)))
  t.is(received.reduce((a, b) => a + b, 0n), 9900n)
})
