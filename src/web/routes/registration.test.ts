import test from 'ava'
import { parseCabinetNumber, verifyPassword } from '../../payers/index.ts'
import { lookupRules } from '../limits.ts'
import { messages } from '../messages.ts'
import {
  goodPassword, openCabinet, people, shows, useCabinet,
} from '../testkit.ts'

const env = useCabinet(test)

async function stepOne(fields: Record<string, string>) {
  const c = env.h.client()
  await c.get('/qeydiyyat')
  return { c, res: await c.post('/qeydiyyat', fields) }
}

test('the first step offers the four document series and carries a CSRF token', async (t) => {
  const c = env.h.client()
  const res = await c.get('/qeydiyyat')
  t.is(res.status, 200)
  for (const s of ['-', 'AZE', 'MYI', 'DYI']) t.true(res.text.includes(`<option value="${s}"`))
  t.regex(c.csrf(), /^[\w-]{43}$/)
})

test('a person registers in two steps and is shown the new cabinet number', async (t) => {
  const { c, res } = await stepOne({ series: '-', number: 'aa 0123456', fin: '5zx9k2l' })
  t.is(res.status, 303)
  t.is(res.headers.get('location'), '/qeydiyyat/davam')

  const details = await c.get('/qeydiyyat/davam')
  t.true(details.text.includes('HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU'))
  t.true(details.text.includes('30.11.1977'))

  const done = await c.submit('/qeydiyyat/davam', {
    mobile: '050 123 45 67', email: 'Vusal@Example.AZ', password: goodPassword,
    password2: goodPassword,
  })
  t.is(done.status, 200)
  const number = /id="cabinet-number">(\d+)</.exec(done.text)?.[1] ?? ''
  t.regex(number, /^\d+$/)
  t.is(parseCabinetNumber(number), BigInt(number))

  const row = await env.db('cabinets').where({ document: people.hamidov.document }).first()
  t.is(String(row.number), number)
  t.is(row.mobile, '+994501234567')
  t.is(row.mobile_confirmed_at, null)
  t.is(row.email, 'Vusal@example.az')
  t.true(await verifyPassword(goodPassword, row.password_hash))
  const account = await env.db('accounts').where({ cabinet_id: row.id }).first()
  t.truthy(account, 'the cabinet has its ledger account')
})

test('old cards and residence permits register with their series', async (t) => {
  for (const [series, number, fin] of [
    ['AZE', '10293847', people.quliyev.fin],
    ['MYI', '0045678', people.petrov.fin],
    ['DYI', 'DYI0007777', people.yilmaz.fin],
  ] as const) {
    const { res } = await stepOne({ series, number, fin })
    t.is(res.status, 303, `${series} ${number}`)
  }
})

test('an unknown document is refused with its own message', async (t) => {
  const { res } = await stepOne({ series: '-', number: 'AA9999999', fin: '5ZX9K2L' })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.unknownDocument))
})

test('a FIN that does not match the document is refused with its own message', async (t) => {
  const { res } = await stepOne({ series: '-', number: people.mammadova.document, fin: '5ZX9K2L' })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.finMismatch))
  t.false(res.text.includes('MƏMMƏDOVA'), 'nobody is named on a mismatch')
})

test('a person who already has a cabinet is told so at the first step', async (t) => {
  await openCabinet(env.db, people.aliyeva)
  const { res } = await stepOne({ series: '-', number: people.aliyeva.document,
    fin: people.aliyeva.fin })
  t.is(res.status, 409)
  t.true(shows(res.text, messages.alreadyRegistered))
})

test('malformed input is refused field by field and echoed back', async (t) => {
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ series: '-', number: 'AA12', fin: '5ZX9K2L' }, 'number', messages.documentFormat],
    [{ series: 'AZE', number: 'AA0123456', fin: '5ZX9K2L' }, 'number', messages.documentFormat],
    [{ series: 'XYZ', number: 'AA0123456', fin: '5ZX9K2L' }, 'series', messages.documentFormat],
    [{ series: '-', number: '', fin: '5ZX9K2L' }, 'number', messages.required],
    [{ series: '-', number: 'AA0123456', fin: '5ZX9' }, 'fin', messages.finFormat],
    [{ series: '-', number: 'AA0123456', fin: '' }, 'fin', messages.required],
  ]
  for (const [fields, field, message] of cases) {
    const { res } = await stepOne(fields)
    t.is(res.status, 422, JSON.stringify(fields))
    t.true(shows(res.text, message), JSON.stringify(fields))
    t.true(res.text.includes(`id="f-${field}-err"`), JSON.stringify(fields))
  }
  const { res } = await stepOne({ series: '-', number: '<b>x</b>', fin: '5ZX9K2L' })
  t.true(res.text.includes('value="&lt;b&gt;x&lt;/b&gt;"'), 'the echo is escaped')
})

test('the second step refuses a weak password and a repeat that differs', async (t) => {
  const { c } = await stepOne({ series: '-', number: people.oneil.document,
    fin: people.oneil.fin })
  await c.get('/qeydiyyat/davam')
  for (const [password, password2, message] of [
    ['short1', 'short1', messages.weakPassword],
    ['onlyletters', 'onlyletters', messages.weakPassword],
    ['12345678901', '12345678901', messages.weakPassword],
    [goodPassword, `${goodPassword}x`, messages.passwordsDiffer],
  ]) {
    const res = await c.post('/qeydiyyat/davam', { mobile: '', email: '', password: password!,
      password2: password2! })
    t.is(res.status, 422, password)
    t.true(shows(res.text, message!), password)
    t.true(res.text.includes("O&#39;NEİL ŞAHİN"), 'the person is still shown')
  }
  t.is(await env.db('cabinets').where({ document: people.oneil.document }).first(), undefined)
})

test('the second step refuses a malformed mobile number and e-mail', async (t) => {
  const { c } = await stepOne({ series: '-', number: people.nasibov.document,
    fin: people.nasibov.fin })
  await c.get('/qeydiyyat/davam')
  const res = await c.post('/qeydiyyat/davam', { mobile: '050 12', email: 'not-an-address',
    password: goodPassword, password2: goodPassword })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.mobileFormat))
  t.true(shows(res.text, messages.emailFormat))
  t.true(res.text.includes('value="050 12"'))
})

test('the second step reports a cabinet registered meanwhile for the same person',
  async (t) => {
    const { c } = await stepOne({ series: '-', number: people.jafarova.document,
      fin: people.jafarova.fin })
    const details = await c.get('/qeydiyyat/davam')
    t.true(details.text.includes('&lt;TOĞRUL&gt; &amp; CO QIZI'), 'registry text is escaped')
    await openCabinet(env.db, people.jafarova)
    const res = await c.post('/qeydiyyat/davam', { mobile: '', email: '',
      password: goodPassword, password2: goodPassword })
    t.is(res.status, 409)
    t.true(shows(res.text, messages.alreadyRegistered))
  })

test('the second step without the first leads back to the first', async (t) => {
  const c = env.h.client()
  await c.get('/qeydiyyat')
  const res = await c.post('/qeydiyyat/davam', { password: goodPassword,
    password2: goodPassword })
  t.is(res.status, 303)
  t.is(res.headers.get('location'), '/qeydiyyat')
  const page = await c.get('/qeydiyyat')
  t.true(shows(page.text, messages.registrationExpired))
})

test('a form posted without its CSRF token is refused', async (t) => {
  const c = env.h.client()
  await c.get('/qeydiyyat')
  const res = await c.post('/qeydiyyat', { _csrf: 'x'.repeat(43), series: '-',
    number: people.ismayilova.document, fin: people.ismayilova.fin })
  t.is(res.status, 403)
  t.true(shows(res.text, messages.csrf))
  const none = await env.h.client().post('/qeydiyyat', { series: '-', number: 'AA0123456',
    fin: '5ZX9K2L' })
  t.is(none.status, 403, 'no session at all')
})

test('an address that keeps guessing documents is locked out for a while', async (t) => {
  const c = env.h.client()
  await c.get('/qeydiyyat')
  for (let i = 0; i < lookupRules.address.points; i++) {
    const res = await c.post('/qeydiyyat',
      { series: '-', number: `AA${String(5000000 + i)}`, fin: '5ZX9K2L' })
    t.is(res.status, 422)
  }
  const res = await c.post('/qeydiyyat', { series: '-', number: people.ismayilova.document,
    fin: people.ismayilova.fin })
  t.is(res.status, 429)
  t.true(Number(res.headers.get('retry-after')) > 0)
  t.true(res.text.includes('dəqiqədən sonra'))
  const other = env.h.client()
  await other.get('/qeydiyyat')
  t.is((await other.post('/qeydiyyat', { series: '-', number: people.ismayilova.document,
    fin: people.ismayilova.fin })).status, 303, 'another address is not locked')
})
