import test from 'ava'
import { blockCabinet } from '../../payers/index.ts'
import { loginRules } from '../limits.ts'
import { messages } from '../messages.ts'
import { hashSessionId, loadSession } from '../session.ts'
import { sessionCookie } from '../state.ts'
import {
  goodPassword, loggedIn, openCabinet, people, shows, useCabinet,
} from '../testkit.ts'

const env = useCabinet(test)

function cookieLine(res: Response): string {
  return res.headers.getSetCookie().find((l) => l.startsWith(`${sessionCookie}=`)) ?? ''
}

test('a holder logs in with the cabinet number under a new session id', async (t) => {
  const cab = await openCabinet(env.db, people.hamidov)
  const c = env.h.client()
  await c.get('/giris')
  const before = c.cookies.get(sessionCookie)!
  const res = await c.post('/giris', { ref: String(cab.number), password: goodPassword })
  t.is(res.status, 303)
  t.is(res.headers.get('location'), '/kabinet')
  const line = cookieLine(res)
  t.regex(line, /; httponly/i)
  t.regex(line, /; samesite=lax/i)
  t.notRegex(line, /; secure/i, 'not over plain http')

  const after = c.cookies.get(sessionCookie)!
  t.not(after, before)
  t.is(await loadSession(env.db, before), null, 'the pre-login session is gone')
  const row = await env.db('web_sessions').where({ id_hash: hashSessionId(after) }).first()
  t.is(row.cabinet_id, cab.id)

  const home = await c.get('/kabinet')
  t.is(home.status, 200)
  t.true(home.text.includes(String(cab.number)))
})

test('a holder logs in with the document number as typed', async (t) => {
  await openCabinet(env.db, people.quliyev)
  const c = env.h.client()
  await c.get('/giris')
  const res = await c.post('/giris', { ref: ' aze 10293847 ', password: goodPassword })
  t.is(res.status, 303)
})

test('the session cookie is Secure behind a TLS proxy', async (t) => {
  const cab = await openCabinet(env.db, people.oneil)
  const c = env.h.client({ 'x-forwarded-proto': 'https' })
  const page = await c.get('/giris')
  t.regex(cookieLine(page), /; secure/i)
  const res = await c.post('/giris', { ref: String(cab.number), password: goodPassword })
  t.regex(cookieLine(res), /; secure/i)
})

test('a wrong password and an unknown cabinet get the same refusal', async (t) => {
  const cab = await openCabinet(env.db, people.mammadova)
  const c = env.h.client()
  await c.get('/giris')
  const wrong = await c.post('/giris', { ref: String(cab.number), password: 'Wrong1234' })
  t.is(wrong.status, 401)
  t.true(shows(wrong.text, messages.loginFailed))
  const unknown = await c.post('/giris', { ref: 'AA9999999', password: goodPassword })
  t.is(unknown.status, 401)
  t.true(shows(unknown.text, messages.loginFailed))
  t.true(unknown.text.includes('value="AA9999999"'), 'the reference is kept, the password not')
  t.false(unknown.text.includes(goodPassword))
})

test('a malformed reference and empty fields are refused with their messages', async (t) => {
  const c = env.h.client()
  await c.get('/giris')
  const bad = await c.post('/giris', { ref: '1000018', password: goodPassword })
  t.is(bad.status, 422, 'a cabinet number with a wrong check digit')
  t.true(shows(bad.text, messages.loginFormat))
  const empty = await c.post('/giris', { ref: '', password: '' })
  t.is(empty.status, 422)
  t.true(empty.text.includes('id="f-ref-err"') && empty.text.includes('id="f-password-err"'))
})

test('a blocked cabinet is told so after the right password', async (t) => {
  const cab = await openCabinet(env.db, people.petrov)
  await blockCabinet(env.db, cab.id)
  const c = env.h.client()
  await c.get('/giris')
  const wrong = await c.post('/giris', { ref: String(cab.number), password: 'Wrong1234' })
  t.true(shows(wrong.text, messages.loginFailed))
  const right = await c.post('/giris', { ref: String(cab.number), password: goodPassword })
  t.is(right.status, 403)
  t.true(shows(right.text, messages.loginBlocked))
})

test('failed logins lock the account, from any address, with Retry-After', async (t) => {
  const cab = await openCabinet(env.db, people.yilmaz)
  const c = env.h.client()
  await c.get('/giris')
  for (let i = 1; i < loginRules.account.points; i++) {
    t.is((await c.post('/giris', { ref: String(cab.number), password: `Wrong${i}xx` })).status,
      401)
  }
  const last = await c.post('/giris', { ref: people.yilmaz.document, password: 'Wrong9xx' })
  t.is(last.status, 429, 'the document number counts for the same cabinet')
  const elsewhere = env.h.client()
  await elsewhere.get('/giris')
  const res = await elsewhere.post('/giris', { ref: String(cab.number), password: goodPassword })
  t.is(res.status, 429, 'even the right password waits')
  const wait = Number(res.headers.get('retry-after'))
  t.true(wait > 60 && wait <= loginRules.account.blockSec)
  t.true(shows(res.text, messages.locked(Math.ceil(wait / 60))))
})

test('failed logins lock an address that tries many accounts', async (t) => {
  const cab = await openCabinet(env.db, people.nasibov)
  const c = env.h.client()
  await c.get('/giris')
  for (let i = 0; i < loginRules.address.points; i++) {
    await c.post('/giris', { ref: `AA${3000000 + i}`, password: 'Wrong1234' })
  }
  const res = await c.post('/giris', { ref: String(cab.number), password: goodPassword })
  t.is(res.status, 429)
  t.truthy(res.headers.get('retry-after'))
  const other = await loggedIn(env.h, String(cab.number))
  t.is((await other.get('/kabinet')).status, 200, 'another address logs in')
})

test('logging out ends the session on the server and clears the cookie', async (t) => {
  const cab = await openCabinet(env.db, people.ismayilova)
  const c = await loggedIn(env.h, String(cab.number))
  const token = c.cookies.get(sessionCookie)!
  await c.get('/kabinet')
  const res = await c.post('/cixis', {})
  t.is(res.status, 303)
  t.is(await loadSession(env.db, token), null)
  const page = await c.get('/giris')
  t.true(shows(page.text, messages.loggedOut))
  const stale = env.h.client()
  stale.cookies.set(sessionCookie, token)
  const away = await stale.get('/kabinet')
  t.is(away.status, 303)
  t.is(away.headers.get('location'), '/giris?next=%2Fkabinet')
})

test('a cabinet page sends a visitor to login and back again afterwards', async (t) => {
  const cab = await openCabinet(env.db, people.aliyeva)
  const c = env.h.client()
  const away = await c.get('/kabinet/elaqe')
  t.is(away.headers.get('location'), '/giris?next=%2Fkabinet%2Felaqe')
  await c.get(away.headers.get('location')!)
  const res = await c.post('/giris?next=%2Fkabinet%2Felaqe',
    { ref: String(cab.number), password: goodPassword })
  t.is(res.headers.get('location'), '/kabinet/elaqe')
  const evil = env.h.client()
  await evil.get('/giris')
  const out = await evil.post('/giris?next=https%3A%2F%2Fevil.example%2F',
    { ref: String(cab.number), password: goodPassword })
  t.is(out.headers.get('location'), '/kabinet', 'never another site')
})

test('a login form posted with another session token is refused', async (t) => {
  const cab = await openCabinet(env.db, people.jafarova)
  const a = env.h.client()
  await a.get('/giris')
  const b = env.h.client()
  await b.get('/giris')
  const res = await b.post('/giris', { _csrf: a.csrf(), ref: String(cab.number),
    password: goodPassword })
  t.is(res.status, 403)
  t.is((await env.db('web_sessions').where({ cabinet_id: cab.id })).length, 0)
})

test('pages carry security headers and are not cached', async (t) => {
  const res = await env.h.client().get('/giris')
  const csp = res.headers.get('content-security-policy') ?? ''
  t.regex(csp, /default-src 'none'/)
  t.regex(csp, /frame-ancestors 'none'/)
  t.notRegex(csp, /unsafe-inline/)
  t.is(res.headers.get('x-frame-options'), 'DENY')
  t.is(res.headers.get('x-content-type-options'), 'nosniff')
  t.is(res.headers.get('cache-control'), 'no-store')
  t.false(res.text.includes('<script'), 'no script on any page')
  const css = await env.h.client().get('/static/kabinet.css')
  t.is(css.status, 200)
  t.regex(css.headers.get('content-type') ?? '', /text\/css/)
})
