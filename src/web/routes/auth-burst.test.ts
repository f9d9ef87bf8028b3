import test from 'ava'
import { loginRules } from '../limits.ts'
import { messages } from '../messages.ts'
import { until, watchScrypt, type ScryptWatch } from '../scrypt-watch.ts'
import {
  goodPassword, loggedIn, openCabinet, people, shows, useCabinet, type PageClient,
} from '../testkit.ts'

// Guesses sent all at once: every one that is checked has spent its point first.
const env = useCabinet(test)
let watch: ScryptWatch
test.before(() => {
  watch = watchScrypt()
})
test.after.always(() => watch?.restore())

const limit = loginRules.account.points

async function storedHash(cabinetId: bigint): Promise<string> {
  const row = await env.db('cabinets').where({ id: cabinetId }).first('password_hash')
  return row.password_hash as string
}

/** Sends wrong passwords at once; `answered` counts the answers as they come. */
function burst(c: PageClient, ref: string, n: number, tag: string) {
  const statuses: number[] = []
  const all = Promise.all(Array.from({ length: n }, async (_, i) => {
    const res = await c.post('/giris', { ref, password: `guess-${tag}-${i}` })
    statuses.push(res.status)
    return res
  }))
  return { all, statuses }
}

const wrongChecks = (hash: string, tag: string) =>
  watch.checked(hash).filter((p) => p.startsWith(`guess-${tag}-`)).length
const count = (statuses: number[], status: number) =>
  statuses.filter((s) => s === status).length

test('thirty wrong passwords sent at once get only as many checks as the limit', async (t) => {
  const cab = await openCabinet(env.db, people.hamidov)
  const hash = await storedHash(cab.id)
  const c = env.h.client()
  await c.get('/giris')
  const { all, statuses } = burst(c, String(cab.number), 30, 'A')
  const answers = await all
  t.is(wrongChecks(hash, 'A'), limit)
  t.is(count(statuses, 401), limit - 1, 'the check that used the last point answers locked')
  t.is(count(statuses, 429), 30 - (limit - 1))
  const locked = answers.find((r) => r.status === 429)!
  const wait = Number(locked.headers.get('retry-after'))
  t.true(wait > 60 && wait <= loginRules.account.blockSec)
  t.true(shows(locked.text, messages.locked(Math.ceil(wait / 60))))
})

test('the right password sent while a burst of guesses is being checked is refused',
  async (t) => {
    const cab = await openCabinet(env.db, people.mammadova)
    const hash = await storedHash(cab.id)
    const open = watch.hold(hash, (p) => p !== goodPassword)
    const c = env.h.client()
    await c.get('/giris')
    const { all, statuses } = burst(c, String(cab.number), 29, 'B')
    try {
      // Every guess is either being checked (held) or already answered.
      await until(() => statuses.length + wrongChecks(hash, 'B') === 29, 'the burst')
      const right = env.h.client()
      await right.get('/giris')
      const res = await right.post('/giris', { ref: String(cab.number), password: goodPassword })
      t.is(res.status, 429, 'the right password waits like the guesses')
      t.truthy(res.headers.get('retry-after'))
    } finally {
      open()
    }
    await all
    t.is(wrongChecks(hash, 'B'), limit)
    t.false(statuses.includes(303))
    const later = env.h.client()
    await later.get('/giris')
    t.is((await later.post('/giris', { ref: String(cab.number), password: goodPassword }))
      .status, 429, 'the account stays locked once the burst is over')
  })

test('a login in the middle of a burst gives back its own attempt and no other', async (t) => {
  const cab = await openCabinet(env.db, people.quliyev)
  const hash = await storedHash(cab.id)
  const open = watch.hold(hash, (p) => p !== goodPassword)
  const c = env.h.client()
  await c.get('/giris')
  const first = burst(c, String(cab.number), 3, 'C')
  let second: ReturnType<typeof burst> | undefined
  try {
    await until(() => wrongChecks(hash, 'C') === 3, 'three guesses in flight')
    const holder = await loggedIn(env.h, String(cab.number))
    t.is((await holder.get('/kabinet')).status, 200, 'the holder logs in')
    const more = burst(c, String(cab.number), 10, 'D')
    second = more
    await until(() => more.statuses.length + wrongChecks(hash, 'D') === 10, 'the second burst')
  } finally {
    open()
  }
  await Promise.all([first.all, second?.all])
  t.is(wrongChecks(hash, 'C') + wrongChecks(hash, 'D'), limit,
    'the three in flight kept their points through the login')
})

test('thirty guesses at once over many cabinets from one address get only its limit',
  async (t) => {
    const c = env.h.client()
    await c.get('/giris')
    const statuses: number[] = []
    const guesses = () => watch.checked().filter((p) => p.startsWith('guess-E-')).length
    const open = watch.hold(null, (p) => p.startsWith('guess-E-'))
    let all
    try {
      all = Promise.all(Array.from({ length: 30 }, async (_, i) => {
        const res = await c.post('/giris', { ref: `AA${4000000 + i}`, password: `guess-E-${i}` })
        statuses.push(res.status)
      }))
      await until(() => statuses.length + guesses() === 30, 'the burst')
    } finally {
      open()
    }
    await all
    t.is(guesses(), loginRules.address.points)
    t.is(count(statuses, 401), loginRules.address.points - 1)
    t.is(count(statuses, 429), 30 - (loginRules.address.points - 1))
  })
