import test from 'ava'
import { messages } from '../messages.ts'
import { loadSession } from '../session.ts'
import { sessionCookie } from '../state.ts'
import {
  goodPassword, loggedIn, openCabinet, people, shows, useCabinet, type PageClient,
} from '../testkit.ts'

const env = useCabinet(test)
const newPassword = 'Payiz2027son'

async function canLogIn(ref: string, password: string): Promise<boolean> {
  const c = env.h.client()
  await c.get('/giris')
  return (await c.post('/giris', { ref, password })).status === 303
}

async function changeForm(c: PageClient, fields: Record<string, string>) {
  await c.get('/kabinet/sifre')
  return c.post('/kabinet/sifre', fields)
}

test('changing the password needs the current one and ends the other sessions', async (t) => {
  const cab = await openCabinet(env.db, people.hamidov)
  const other = await loggedIn(env.h, String(cab.number))
  const c = await loggedIn(env.h, String(cab.number))
  const before = c.cookies.get(sessionCookie)!
  const res = await changeForm(c, { current: goodPassword, password: newPassword,
    password2: newPassword })
  t.is(res.status, 303)
  const page = await c.get(res.headers.get('location')!)
  t.is(page.status, 200, 'this browser stays logged in')
  t.true(shows(page.text, messages.passwordChanged))
  t.not(c.cookies.get(sessionCookie), before, 'under a new session id')
  t.is(await loadSession(env.db, other.cookies.get(sessionCookie)!), null)
  t.is((await other.get('/kabinet')).status, 303, 'the other browser is logged out')
  t.false(await canLogIn(String(cab.number), goodPassword))
  t.true(await canLogIn(String(cab.number), newPassword))
})

test('a wrong current password is refused', async (t) => {
  const cab = await openCabinet(env.db, people.mammadova)
  const c = await loggedIn(env.h, String(cab.number))
  const res = await changeForm(c, { current: 'Wrong1234', password: newPassword,
    password2: newPassword })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.oldPasswordWrong))
  t.true(await canLogIn(String(cab.number), goodPassword))
})

test('a weak, mismatched or unchanged new password is refused', async (t) => {
  const cab = await openCabinet(env.db, people.quliyev)
  const c = await loggedIn(env.h, String(cab.number))
  for (const [password, password2, message] of [
    ['abc', 'abc', messages.weakPassword],
    [newPassword, 'Payiz2027so', messages.passwordsDiffer],
    [goodPassword, goodPassword, messages.samePassword],
  ] as const) {
    const res = await changeForm(c, { current: goodPassword, password, password2 })
    t.is(res.status, 422, message)
    t.true(shows(res.text, message), message)
  }
})

test('guessing the current password is rate limited', async (t) => {
  const cab = await openCabinet(env.db, people.ismayilova)
  const c = await loggedIn(env.h, String(cab.number))
  let last
  for (let i = 0; i < 5; i++) {
    last = await changeForm(c, { current: `Guess${i}abc`, password: newPassword,
      password2: newPassword })
  }
  t.is(last?.status, 429)
  const res = await changeForm(c, { current: goodPassword, password: newPassword,
    password2: newPassword })
  t.is(res.status, 429)
  t.truthy(res.headers.get('retry-after'))
})

async function requestReset(c: PageClient, ref: string, mobile: string) {
  await c.get('/sifre-berpa')
  return c.post('/sifre-berpa', { ref, mobile })
}

test('a password is reset with the code sent to the confirmed mobile', async (t) => {
  const cab = await openCabinet(env.db, people.oneil, { mobile: '+994501234000',
    confirmed: true })
  const session = await loggedIn(env.h, String(cab.number))
  const c = env.h.client()
  const res = await requestReset(c, people.oneil.document.toLowerCase(), '050 123 40 00')
  t.is(res.headers.get('location'), '/sifre-berpa/kod')
  const page = await c.get('/sifre-berpa/kod')
  t.true(shows(page.text, messages.resetSent))
  const code = env.h.sms.lastCode('+994501234000')
  const done = await c.post('/sifre-berpa/kod', { code, password: newPassword,
    password2: newPassword })
  t.is(done.headers.get('location'), '/giris')
  t.true(shows((await c.get('/giris')).text, messages.resetDone))
  t.true(await canLogIn(String(cab.number), newPassword))
  t.false(await canLogIn(String(cab.number), goodPassword))
  t.is((await session.get('/kabinet')).status, 303, 'existing sessions were ended')
})

test('a reset for an unconfirmed or other mobile sends nothing and says the same', async (t) => {
  const cab = await openCabinet(env.db, people.aliyeva, { mobile: '+994551230001' })
  const c = env.h.client()
  const unconfirmed = await requestReset(c, String(cab.number), '+994551230001')
  t.is(unconfirmed.status, 303)
  t.true(shows((await c.get('/sifre-berpa/kod')).text, messages.resetSent))
  const other = await requestReset(env.h.client(), String(cab.number), '+994551230002')
  t.is(other.status, 303)
  t.false(env.h.sms.sent.some((m) => m.to.startsWith('+99455123000')))
  const res = await c.post('/sifre-berpa/kod', { code: '123456', password: newPassword,
    password2: newPassword })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.codeUnknown))
  t.true(await canLogIn(String(cab.number), goodPassword))
})

test('a wrong reset code is refused and a weak new password does not use the code',
  async (t) => {
    const cab = await openCabinet(env.db, people.petrov, { mobile: '+994701230003',
      confirmed: true })
    const c = env.h.client()
    await requestReset(c, String(cab.number), '+994701230003')
    await c.get('/sifre-berpa/kod')
    const code = env.h.sms.lastCode('+994701230003')
    const weak = await c.post('/sifre-berpa/kod', { code, password: 'weak', password2: 'weak' })
    t.is(weak.status, 422)
    t.true(shows(weak.text, messages.weakPassword))
    const wrong = code === '000000' ? '111111' : '000000'
    const bad = await c.post('/sifre-berpa/kod', { code: wrong, password: newPassword,
      password2: newPassword })
    t.true(shows(bad.text, messages.codeWrong(4)))
    const ok = await c.post('/sifre-berpa/kod', { code, password: newPassword,
      password2: newPassword })
    t.is(ok.status, 303)
  })

test('malformed reset requests are refused with their messages', async (t) => {
  const c = env.h.client()
  const noMobile = await requestReset(c, 'AA0123456', '')
  t.is(noMobile.status, 422)
  t.true(shows(noMobile.text, messages.required))
  const badMobile = await requestReset(c, 'AA0123456', '12345')
  t.true(shows(badMobile.text, messages.mobileFormat))
  const badRef = await requestReset(c, 'AA12', '+994501234567')
  t.is(badRef.status, 422)
  t.true(shows(badRef.text, messages.loginFormat))
  const noRequest = await env.h.client().get('/sifre-berpa/kod')
  t.is(noRequest.headers.get('location'), '/sifre-berpa')
})

test('an expired reset code is refused', async (t) => {
  const cab = await openCabinet(env.db, people.yilmaz, { mobile: '+994101230004',
    confirmed: true })
  const c = env.h.client()
  await requestReset(c, String(cab.number), '+994101230004')
  await c.get('/sifre-berpa/kod')
  await env.db('sms_codes').where({ cabinet_id: cab.id })
    .update({ expires_at: env.db.raw(`now() - interval '1 second'`) })
  const res = await c.post('/sifre-berpa/kod', { code: env.h.sms.lastCode('+994101230004'),
    password: newPassword, password2: newPassword })
  t.true(shows(res.text, messages.codeExpired))
})

test('a right pair asked again at once is answered like a wrong one; the first code still works',
  async (t) => {
    const cab = await openCabinet(env.db, people.nasibov, { mobile: '+994701230077',
      confirmed: true })
    const first = env.h.client()
    t.is((await requestReset(first, String(cab.number), '+994701230077')).status, 303)
    const code = env.h.sms.lastCode('+994701230077')
    // Other tests of this file send to their own numbers meanwhile.
    const sentHere = () => env.h.sms.sent.filter((m) => m.to.startsWith('+99470123007')).length
    t.is(sentHere(), 1)

    const again = env.h.client()
    const right = await requestReset(again, String(cab.number), '+994701230077')
    const wrong = await requestReset(env.h.client(), String(cab.number), '+994701230078')
    for (const res of [right, wrong]) {
      t.is(res.status, 303)
      t.is(res.headers.get('location'), '/sifre-berpa/kod')
      t.is(res.headers.get('retry-after'), null)
    }
    t.is(sentHere(), 1, 'no second SMS inside the resend window, none to the wrong number')
    t.true(shows((await again.get('/sifre-berpa/kod')).text, messages.resetSent))
    const done = await again.post('/sifre-berpa/kod', { code, password: newPassword,
      password2: newPassword })
    t.is(done.headers.get('location'), '/giris')
    t.true(await canLogIn(String(cab.number), newPassword))
  })
