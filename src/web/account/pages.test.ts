import test from 'ava'
import { createCharge, issueVouchers } from '../../account/index.ts'
import { fundCabinet } from '../../account/testkit.ts'
import { cabinetBalance } from '../../ledger/index.ts'
import { formatAmount } from '../../money.ts'
import { luhnCheckDigit } from '../../payments/code.ts'
import { shows } from '../testkit.ts'
import { bakuDateTime, perPage } from './history.ts'
import { redeemRules } from './index.ts'
import { accountMessages as say } from './messages.ts'
import { useAccountPages } from './testkit.ts'

const h = useAccountPages(test)
const hamidov = { document: 'AA0123456', fin: '5ZX9K2L' }
const mammadova = { document: 'AA7654321', fin: '6BQ2M7T' }
const quliyev = { document: 'AZE10293847', fin: '1TR5Q8W' }
const ismayilova = { document: 'AZE55501234', fin: '3KD8P1Z' }
const nasibov = { document: 'AA2000003', fin: '8MK1S5D' }

async function code(amount = 1500n): Promise<string> {
  const batch = await issueVouchers(h.db, { provider: 'kiosk', amount, count: 1,
    batch: `pages-${Math.random().toString(36).slice(2)}` })
  return (batch.vouchers[0] as { code: string }).code
}

const cells = (html: string, cls: string) =>
  [...html.matchAll(new RegExp(`<td class="[^"]*\\b${cls}\\b[^"]*"[^>]*>([^<]*)</td>`, 'g'))]
    .map((m) => m[1] as string)

test('the account pages need a login', async (t) => {
  const c = h.client()
  for (const path of ['/kabinet/hesab', '/kabinet/hesab/medaxil', '/kabinet/hesab/artir',
    '/kabinet/hesab/kocurme']) {
    const res = await c.get(path)
    t.is(res.status, 303, path)
    t.regex(res.headers.get('location') ?? '', /^\/giris/)
  }
})

test('a code is redeemed through the form and shows in the credits with its code',
  async (t) => {
    const cab = await h.open(hamidov.document, hamidov.fin)
    const c = await h.login(cab.number)
    const voucher = await code(1500n)
    await c.get('/kabinet/hesab/artir')
    const page = await c.submit('/kabinet/hesab/artir', { code: voucher })
    t.is(page.status, 200)
    t.true(shows(page.text, say.redeemed('15.00 AZN', voucher)))
    t.true(page.text.includes('15.00 AZN'), 'the header shows the new balance')
    t.is(await cabinetBalance(h.db, cab.id), 1500n)
    const credits = await c.get('/kabinet/hesab/medaxil')
    t.deepEqual(cells(credits.text, 'code'), [voucher])
    t.deepEqual(cells(credits.text, 'amount'), ['15.00'])
    const row = await h.db('ledger_transactions').where({ idempotency_key: `redeem:${voucher}` })
      .first('created_at')
    const at = bakuDateTime(row.created_at)
    t.true(credits.text.includes(
      `<td data-label="Tarix">${at.date}</td><td data-label="Saat">${at.time}</td>`))
  })

test('every kind of wrong code gets its own message', async (t) => {
  const cab = await h.open(mammadova.document, mammadova.fin)
  const other = await h.open(ismayilova.document, ismayilova.fin)
  const c = await h.login(cab.number)
  const used = await code()
  const o = await h.login(other.number)
  await o.get('/kabinet/hesab/artir')
  t.is((await o.post('/kabinet/hesab/artir', { code: used })).status, 303)
  const mine = await code()
  await c.get('/kabinet/hesab/artir')
  t.is((await c.post('/kabinet/hesab/artir', { code: mine })).status, 303)
  const body = '5'.repeat(14)
  const stranger = body + String(luhnCheckDigit(body))
  const typo = body + String((luhnCheckDigit(body) + 1) % 10)
  const cases: Array<[string, string]> = [
    ['12345', say.redeem.format],
    [typo, say.redeem.check_digit],
    [stranger, say.redeem.unknown],
    [used, say.redeem.redeemed],
    [mine, say.redeem.redeemed_here],
  ]
  for (const [typed, message] of cases) {
    await c.get('/kabinet/hesab/artir')
    const res = await c.post('/kabinet/hesab/artir', { code: typed })
    t.is(res.status, 422, typed)
    t.true(shows(res.text, message), typed)
  }
  t.is(new Set(Object.values(say.redeem)).size, Object.keys(say.redeem).length)
})

test('guessing codes is paused after too many wrong ones', async (t) => {
  const cab = await h.open(quliyev.document, quliyev.fin)
  const c = await h.login(cab.number)
  const statuses: number[] = []
  for (let i = 0; i < redeemRules.account.points + 1; i++) {
    const body = String(10_000_000_000_000 + i)
    await c.get('/kabinet/hesab/artir')
    statuses.push((await c.post('/kabinet/hesab/artir',
      { code: body + String(luhnCheckDigit(body)) })).status)
  }
  t.deepEqual(statuses.slice(0, redeemRules.account.points - 1),
    Array(redeemRules.account.points - 1).fill(422))
  t.is(statuses.at(-1), 429)
  const good = await code()
  await c.get('/kabinet/hesab/artir')
  const locked = await c.post('/kabinet/hesab/artir', { code: good })
  t.is(locked.status, 429)
  t.truthy(locked.headers.get('retry-after'))
  t.is(await cabinetBalance(h.db, cab.id), 0n)
})

test('a form posted without its CSRF token is refused', async (t) => {
  const cab = await h.open(nasibov.document, nasibov.fin)
  const c = await h.login(cab.number)
  const res = await c.post('/kabinet/hesab/artir', { code: await code(), _csrf: 'forged' })
  t.is(res.status, 403)
  t.is(await cabinetBalance(h.db, cab.id), 0n)
})

test('a transfer takes three steps, happens once however often the form is sent, and '
  + 'both histories show it', async (t) => {
  const from = await h.open('AA1000001', '7NW3J6H')
  const to = await h.open('AA1000002', '2CV6Y9R')
  await fundCabinet(h.db, from.id, 10_000n)
  const c = await h.login(from.number)
  await c.get('/kabinet/hesab/kocurme')
  const wrong = await c.post('/kabinet/hesab/kocurme', { recipient: String(to.number),
    password: 'not-mine-1' })
  t.is(wrong.status, 422)
  t.true(shows(wrong.text, say.start.wrong_password))
  t.false(wrong.text.includes('ƏLİYEVA'), 'no name before the password is right')

  const step2 = await c.post('/kabinet/hesab/kocurme', { recipient: String(to.number),
    password: 'Bahar2026yaz' })
  t.is(step2.status, 200)
  t.regex(step2.text, /class="recipient-name">ƏLİYEVA-ŞÜKÜROVA A\. Ö\.</)
  const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? ''
  const low = await c.post('/kabinet/hesab/kocurme/tesdiq', { token: tokenOf(c.html),
    amount: '100.01' })
  t.is(low.status, 422)
  t.true(shows(low.text, say.confirm.insufficient_funds))

  const token = tokenOf(c.html)
  const csrf = c.csrf()
  const send = () => c.post('/kabinet/hesab/kocurme/tesdiq',
    { token, amount: '12.34', _csrf: csrf })
  const first = await send()
  t.is(first.status, 303)
  const receipt = await c.get(first.headers.get('location') ?? '')
  t.true(shows(receipt.text, say.transferred))
  t.regex(receipt.text, /class="transfer-amount">12\.34 AZN</)
  const again = await send()
  t.is(again.headers.get('location'), first.headers.get('location'))
  t.true(shows((await c.get(again.headers.get('location') ?? '')).text, say.transferReplayed))
  t.is(await cabinetBalance(h.db, from.id), 10_000n - 1234n)
  t.is(await cabinetBalance(h.db, to.id), 1234n)

  const debits = await c.get('/kabinet/hesab/mexaric')
  t.deepEqual(cells(debits.text, 'amount'), ['12.34'])
  t.deepEqual(cells(debits.text, 'served'), ['ƏLİYEVA-ŞÜKÜROVA A. Ö.'])
  const credits = await (await h.login(to.number)).get('/kabinet/hesab/medaxil')
  t.deepEqual(cells(credits.text, 'amount'), ['12.34'])
  t.regex(credits.text, new RegExp(`Köçürmə: kabinet № ${from.number}`))
})

test('history pages are newest first and their totals are the sum of every row',
  async (t) => {
    const cab = await h.open('AA2000004', '5RF2B8N')
    for (let i = 1; i <= perPage * 2 + 5; i++) await fundCabinet(h.db, cab.id, BigInt(i * 10))
    for (let i = 1; i <= 3; i++) {
      await createCharge(h.db, { id: 'exams', revenue: 'exams' }, { externalId: `p-${i}`,
        payer: String(cab.number), amount: 101n * BigInt(i), purpose: `İmtahan ${i}`,
        servedPerson: 'CƏFƏROVA LALƏ' })
    }
    const c = await h.login(cab.number)
    const amounts: string[] = []
    let shownTotal = ''
    for (let page = 1; page <= 3; page++) {
      const res = await c.get(`/kabinet/hesab/medaxil?sehife=${page}`)
      amounts.push(...cells(res.text, 'amount'))
      shownTotal = cells(res.text, 'total')[0] ?? ''
      t.is(res.text.includes('rel="next"'), page < 3)
    }
    t.is(amounts.length, perPage * 2 + 5)
    t.is(amounts[0], formatAmount(BigInt((perPage * 2 + 5) * 10)), 'the newest comes first')
    const sum = amounts.reduce((s, a) => s + BigInt(a.replace('.', '')), 0n)
    t.is(BigInt(shownTotal.replace('.', '')), sum)
    t.is(sum, BigInt((perPage * 2 + 5) * (perPage * 2 + 6) / 2 * 10))
    const debits = await c.get('/kabinet/hesab/mexaric')
    t.deepEqual(cells(debits.text, 'purpose'), ['İmtahan 3', 'İmtahan 2', 'İmtahan 1'])
    t.deepEqual(cells(debits.text, 'served'), Array(3).fill('CƏFƏROVA LALƏ'))
    t.is(cells(debits.text, 'total')[0], '6.06')
  })

test('dates and times are shown in Baku time', (t) => {
  t.deepEqual(bakuDateTime(new Date('2026-03-01T21:30:05Z')),
    { date: '02.03.2026', time: '01:30:05' })
})
