import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import test from 'ava'
import { makeCabinet } from '../payers/testkit.ts'
import { lookupRule } from './lookups.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import {
  azericardEntry, startCardsHarness, startFakeAzericard, type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let deadPort = 0

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  // A port nobody listens on: the Epoint registration cannot be answered.
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  deadPort = (s.address() as AddressInfo).port
  await new Promise((resolve) => s.close(resolve))
  h = await startCardsHarness(t0.db, 'cards-pages', {
    azc: azericardEntry(fake.url, { label: 'Azericard' }),
    ep: { protocol: 'epoint', enabled: true, publicKey: 'i1', privateKey: 'long-secret-1',
      baseUrl: `http://127.0.0.1:${deadPort}`, timeoutMs: 300 },
  }, false)
})

test.after.always(async () => {
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

/** A browser without JavaScript: keeps the session cookie and the form's CSRF token. */
async function visitor() {
  let cookie = ''
  let csrf = ''
  const remember = (res: Response, body: string) => {
    const set = res.headers.get('set-cookie')
    if (set) cookie = set.split(';')[0] ?? ''
    csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? csrf
  }
  const get = async (p: string) => {
    const res = await fetch(`${h.url}${p}`, { headers: { cookie } })
    const body = await res.text()
    remember(res, body)
    return { res, body }
  }
  const postForm = async (p: string, fields: Record<string, string>) => {
    const res = await fetch(`${h.url}${p}`, { method: 'POST', redirect: 'manual',
      headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }) })
    const body = await res.text()
    remember(res, body)
    return { res, body }
  }
  await get('/kartla-odenis')
  return { get, post: postForm }
}

test.serial('the amount page shows the masked name only and refuses a comma amount',
  async (t) => {
    const c = await makeCabinet(t0.db, 7800)
    const v = await visitor()
    const step = await v.post('/kartla-odenis', { ref: c.person.document })
    t.is(step.res.status, 200)
    t.regex(step.body, /MƏMMƏDOV İ\. R\./)
    t.notRegex(step.body, new RegExp(String(c.number)))
    t.notRegex(step.body, new RegExp(c.person.fin))
    const bad = await v.post('/kartla-odenis/odenis', { ref: c.person.document, amount: '10,50',
      processor: 'azc' })
    t.is(bad.res.status, 422)
    t.regex(bad.body, /nöqtə ilə yazın/)
    t.is((await t0.db('card_orders').where({ cabinet_id: c.id })).length, 0)
  })

test.serial('the hand-off page allows forms only to the processor and runs one nonce script',
  async (t) => {
    const c = await makeCabinet(t0.db, 7801)
    const v = await visitor()
    const res = await v.post('/kartla-odenis/odenis', { ref: String(c.number), amount: '12',
      processor: 'azc' })
    t.is(res.res.status, 200)
    const csp = res.res.headers.get('content-security-policy') ?? ''
    t.regex(csp, new RegExp(`form-action 'self' ${new URL(fake.url).origin}`))
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    t.truthy(nonce)
    t.true(res.body.includes(`<script nonce="${nonce}">`))
    t.regex(res.body, /<noscript><button type="submit">Ödəniş səhifəsinə keç/)
    t.regex(res.body, /name="P_SIGN"/)
    t.regex(res.body, /name="AMOUNT" value="12\.00"/)
    const order = await t0.db('card_orders').where({ cabinet_id: c.id }).first()
    t.is(order.state, 'redirected')
    t.is(order.channel, 'public')
  })

test.serial('a processor that does not answer at the start leaves a created order to expire',
  async (t) => {
    const c = await makeCabinet(t0.db, 7802)
    const v = await visitor()
    const res = await v.post('/kartla-odenis/odenis', { ref: String(c.number), amount: '5',
      processor: 'ep' })
    t.is(res.res.status, 422)
    t.regex(res.body, /hazırda cavab vermir/)
    const order = await t0.db('card_orders').where({ cabinet_id: c.id }).first()
    t.is(order.state, 'created')
  })

test.serial('an unknown order page is a 404 and a POST without the CSRF token is refused',
  async (t) => {
    const v = await visitor()
    t.is((await v.get('/kartla-odenis/sifaris/00000000-0000-4000-8000-000000000000')).res.status,
      404)
    const res = await fetch(`${h.url}/kartla-odenis`, { method: 'POST',
      body: new URLSearchParams({ ref: 'AA0123456' }) })
    t.is(res.status, 403)
  })

test.serial('repeated lookups of unknown numbers lock the address out', async (t) => {
  const v = await visitor()
  let last = 0
  for (let i = 0; i < 32; i++) {
    last = (await v.post('/kartla-odenis', { ref: `AA${String(9000000 + i)}` })).res.status
  }
  t.is(last, 429)
})

test.serial('every lookup counts against the address, found or not, with a wait to show',
  async (t) => {
    await t0.db('web_rate_limits').del()
    const c = await makeCabinet(t0.db, 7803)
    const v = await visitor()
    for (let i = 0; i < lookupRule.points; i++) {
      const found = await v.post('/kartla-odenis', { ref: String(c.number) })
      t.is(found.res.status, 200)
      t.regex(found.body, /MƏMMƏDOV/)
    }
    const refused = await v.post('/kartla-odenis', { ref: String(c.number) })
    t.is(refused.res.status, 429)
    t.notRegex(refused.body, /MƏMMƏDOV/)
    t.regex(refused.body, /Çox sayda sorğu göndərildi\. \d+ dəqiqədən sonra yenidən cəhd edin/)
    const wait = Number(refused.res.headers.get('retry-after'))
    t.true(wait > 0 && wait <= lookupRule.windowSec)
    // The amount step looks the payer up too, and is refused alike.
    const pay = await v.post('/kartla-odenis/odenis', { ref: String(c.number), amount: '5',
      processor: 'azc' })
    t.is(pay.res.status, 429)
    t.notRegex(pay.body, /MƏMMƏDOV/)
    t.is((await t0.db('card_orders').where({ cabinet_id: c.id })).length, 0)
  })

test.serial('parallel lookups from one address get no more answers than the limit',
  async (t) => {
    await t0.db('web_rate_limits').del()
    const c = await makeCabinet(t0.db, 7804)
    const v = await visitor()
    const answers = await Promise.all(Array.from({ length: lookupRule.points + 10 },
      () => v.post('/kartla-odenis', { ref: String(c.number) })))
    const statuses = answers.map((a) => a.res.status)
    t.is(statuses.filter((s) => s === 200).length, lookupRule.points)
    t.is(statuses.filter((s) => s === 429).length, 10)
    t.is(answers.filter((a) => /MƏMMƏDOV/.test(a.body)).length, lookupRule.points)
  })
