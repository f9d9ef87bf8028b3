import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import {
  createSession, destroyCabinetSessions, hashSessionId, loadSession, purgeExpiredSessions,
  sessionLimits,
} from './session.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

const ctx = useDb(test)
const minutes = (n: number) => n * 60_000

test('a session is found by its token and stores only the token hash', async (t) => {
  const { token, session } = await createSession(ctx.db, null)
  t.regex(token, /^[A-Za-z0-9_-]{43}$/)
  const rows = await ctx.db('web_sessions').where({ id_hash: hashSessionId(token) })
  t.is(rows.length, 1)
  t.false(JSON.stringify(rows).includes(token))
  const loaded = await loadSession(ctx.db, token)
  t.is(loaded?.idHash, session.idHash)
  t.is(loaded?.csrfSecret.length, 43)
})

test('an unknown or malformed token finds no session', async (t) => {
  t.is(await loadSession(ctx.db, 'x'.repeat(43)), null)
  t.is(await loadSession(ctx.db, "' or 1=1 --"), null)
})

test('a session idle for longer than the idle limit is gone', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const start = new Date()
  const { token } = await createSession(ctx.db, cab.id, {}, start)
  const later = new Date(start.getTime() + sessionLimits.idleMs - minutes(1))
  t.truthy(await loadSession(ctx.db, token, later))
  const tooLate = new Date(later.getTime() + sessionLimits.idleMs + 1)
  t.is(await loadSession(ctx.db, token, tooLate), null)
  t.is(await loadSession(ctx.db, token, later), null, 'the expired row was deleted')
})

test('an active session still ends at its absolute expiry', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const start = new Date()
  const { token } = await createSession(ctx.db, cab.id, {}, start)
  let now = start
  while (now.getTime() < start.getTime() + sessionLimits.absoluteMs - minutes(20)) {
    now = new Date(now.getTime() + minutes(20))
    t.truthy(await loadSession(ctx.db, token, now), `alive at ${now.toISOString()}`)
  }
  const end = new Date(start.getTime() + sessionLimits.absoluteMs)
  t.is(await loadSession(ctx.db, token, end), null)
})

test('a visitor session without a cabinet lives a shorter time', async (t) => {
  const start = new Date()
  const { session } = await createSession(ctx.db, null, {}, start)
  t.is(session.expiresAt.getTime() - start.getTime(), sessionLimits.anonymousMs)
})

test('ending a cabinet sessions keeps the one named', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const a = await createSession(ctx.db, cab.id)
  const b = await createSession(ctx.db, cab.id)
  const other = await cabinetFactory(ctx.db)
  const c = await createSession(ctx.db, other.id)
  t.is(await destroyCabinetSessions(ctx.db, cab.id, a.session.idHash), 1)
  t.truthy(await loadSession(ctx.db, a.token))
  t.is(await loadSession(ctx.db, b.token), null)
  t.truthy(await loadSession(ctx.db, c.token))
})

test('purging removes idle and expired sessions only', async (t) => {
  const now = new Date()
  const old = await createSession(ctx.db, null, {}, new Date(now.getTime() - minutes(45)))
  const fresh = await createSession(ctx.db, null, {}, now)
  t.true(await purgeExpiredSessions(ctx.db, now) >= 1)
  t.is(await ctx.db('web_sessions').where({ id_hash: old.session.idHash }).first(), undefined)
  t.truthy(await ctx.db('web_sessions').where({ id_hash: fresh.session.idHash }).first())
})
