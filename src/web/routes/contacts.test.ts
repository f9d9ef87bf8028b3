import test from 'ava'
import { GatewayError } from '../../errors.ts'
import { messages } from '../messages.ts'
import { codeRules } from '../sms-codes.ts'
import {
  loggedIn, openCabinet, people, shows, startCabinet, useCabinet,
} from '../testkit.ts'

const env = useCabinet(test)

async function contactsOf(id: bigint) {
  return env.db('cabinets').where({ id }).first(
    'actual_district', 'actual_address', 'home_phone', 'mobile', 'mobile_confirmed_at', 'email')
}

const blank = { district: '', address: '', homePhone: '', mobile: '', email: '' }

test('contact data is saved and shown again', async (t) => {
  const cab = await openCabinet(env.db, people.hamidov)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  const res = await c.submit('/kabinet/elaqe', { ...blank, district: 'Nəsimi',
    address: '  Bakı şəh.   Azadlıq pr. 10 ', homePhone: '(012) 555-55-55',
    email: 'vusal@example.az' })
  t.is(res.status, 200)
  t.true(shows(res.text, messages.contactsSaved))
  t.true(res.text.includes('value="Bakı şəh. Azadlıq pr. 10"'))
  t.like(await contactsOf(cab.id), { actual_district: 'Nəsimi',
    actual_address: 'Bakı şəh. Azadlıq pr. 10', home_phone: '0125555555',
    email: 'vusal@example.az', mobile: null })
})

test('malformed contact fields are refused each with its message', async (t) => {
  const cab = await openCabinet(env.db, people.mammadova)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  const res = await c.post('/kabinet/elaqe', { district: 'x'.repeat(101),
    address: 'y'.repeat(301), homePhone: '12ab', mobile: '+7 900 123 45 67', email: 'a@b' })
  t.is(res.status, 422)
  for (const m of [messages.tooLong, messages.homePhoneFormat, messages.mobileFormat,
    messages.emailFormat]) {
    t.true(shows(res.text, m), m)
  }
  t.is((await contactsOf(cab.id)).home_phone, null, 'nothing was saved')
  t.is(env.h.sms.sent.filter((m) => m.to.startsWith('+7')).length, 0)
})

test('a new mobile number is confirmed with the code sent to it', async (t) => {
  const cab = await openCabinet(env.db, people.quliyev)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  const sent = await c.post('/kabinet/elaqe', { ...blank, mobile: '070 222 33 44' })
  t.is(sent.headers.get('location'), '/kabinet/elaqe/tesdiq')
  t.is((await contactsOf(cab.id)).mobile, null, 'not stored before it is confirmed')
  const page = await c.get('/kabinet/elaqe/tesdiq')
  t.true(page.text.includes('+994 70 222 33 44'))

  const code = env.h.sms.lastCode('+994702223344')
  const spaced = ` ${code.slice(0, 3)} ${code.slice(3)}`
  const res = await c.submit('/kabinet/elaqe/tesdiq', { code: spaced })
  t.true(shows(res.text, messages.mobileConfirmed))
  const row = await contactsOf(cab.id)
  t.is(row.mobile, '+994702223344')
  t.truthy(row.mobile_confirmed_at)
  t.true(res.text.includes('Təsdiqlənib.'))
})

test('a wrong code tells the attempts left and the fifth uses the code up', async (t) => {
  const cab = await openCabinet(env.db, people.ismayilova)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  await c.submit('/kabinet/elaqe', { ...blank, mobile: '+994 99 111 22 33' })
  const right = env.h.sms.lastCode('+994991112233')
  const wrong = right === '000000' ? '111111' : '000000'
  for (let left = codeRules.maxAttempts - 1; left > 0; left--) {
    const res = await c.post('/kabinet/elaqe/tesdiq', { code: wrong })
    t.is(res.status, 422)
    t.true(shows(res.text, messages.codeWrong(left)))
  }
  const fifth = await c.post('/kabinet/elaqe/tesdiq', { code: wrong })
  t.true(shows(fifth.text, messages.codeExhausted))
  const late = await c.post('/kabinet/elaqe/tesdiq', { code: right })
  t.true(shows(late.text, messages.codeExhausted))
  t.is((await contactsOf(cab.id)).mobile, null)
})

test('an expired code and a malformed code are refused', async (t) => {
  const cab = await openCabinet(env.db, people.oneil)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  await c.submit('/kabinet/elaqe', { ...blank, mobile: '0512223344' })
  const bad = await c.post('/kabinet/elaqe/tesdiq', { code: '12a' })
  t.is(bad.status, 422)
  t.true(shows(bad.text, messages.codeFormat))
  await env.db('sms_codes').where({ cabinet_id: cab.id })
    .update({ expires_at: env.db.raw(`now() - interval '1 second'`) })
  const res = await c.post('/kabinet/elaqe/tesdiq', { code: env.h.sms.lastCode('+994512223344') })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.codeExpired))
})

test('asking for another code within a minute is refused with the wait', async (t) => {
  const cab = await openCabinet(env.db, people.aliyeva)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  await c.submit('/kabinet/elaqe', { ...blank, mobile: '0553334455' })
  const sentTo = () => env.h.sms.sent.filter((m) => m.to === '+994553334455').length
  t.is(sentTo(), 1)
  const res = await c.post('/kabinet/elaqe/kod', { again: '1' })
  t.is(res.status, 303)
  t.true(Number(res.headers.get('retry-after')) > 0)
  const page = await c.get(res.headers.get('location')!)
  t.true(page.text.includes('saniyədən sonra'))
  t.is(sentTo(), 1, 'no second SMS')
})

test('a mobile number given at registration is confirmed from the contacts page',
  async (t) => {
    const cab = await openCabinet(env.db, people.petrov, { mobile: '+994773334455' })
    const c = await loggedIn(env.h, String(cab.number))
    const page = await c.get('/kabinet/elaqe')
    t.true(page.text.includes('Mobil nömrə təsdiqlənməyib'))
    const res = await c.post('/kabinet/elaqe/kod', {})
    t.is(res.headers.get('location'), '/kabinet/elaqe/tesdiq')
    await c.get('/kabinet/elaqe/tesdiq')
    await c.submit('/kabinet/elaqe/tesdiq', { code: env.h.sms.lastCode('+994773334455') })
    t.truthy((await contactsOf(cab.id)).mobile_confirmed_at)
  })

test('clearing the mobile field removes the number', async (t) => {
  const cab = await openCabinet(env.db, people.yilmaz,
    { mobile: '+994501112200', confirmed: true })
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  await c.submit('/kabinet/elaqe', { ...blank })
  t.like(await contactsOf(cab.id), { mobile: null, mobile_confirmed_at: null })
})

test('an unchanged confirmed mobile number sends no code', async (t) => {
  const cab = await openCabinet(env.db, people.nasibov,
    { mobile: '+994501112211', confirmed: true })
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/elaqe')
  const res = await c.post('/kabinet/elaqe', { ...blank, mobile: '+994 50 111 22 11',
    email: 'tural@example.az' })
  t.is(res.headers.get('location'), '/kabinet/elaqe')
  t.false(env.h.sms.sent.some((m) => m.to === '+994501112211'))
  t.truthy((await contactsOf(cab.id)).mobile_confirmed_at)
})

test('an SMS gateway that is down is reported, and the number stays unconfirmed',
  async (t) => {
    const down = await startCabinet(env.db, { overrides: { sms: { driver: 'down',
      send: async () => {
        throw new GatewayError('unavailable', 'down')
      } } } })
    try {
      const cab = await openCabinet(env.db, people.jafarova)
      const c = await loggedIn(down, String(cab.number))
      await c.get('/kabinet/elaqe')
      const res = await c.post('/kabinet/elaqe', { ...blank, mobile: '0504445566' })
      t.is(res.status, 503)
      t.true(shows(res.text, messages.smsFailed))
      t.is((await contactsOf(cab.id)).mobile, null)
    } finally {
      await down.close()
    }
  })
