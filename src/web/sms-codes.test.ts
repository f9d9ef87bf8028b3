import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { isGatewayError, GatewayError } from '../errors.ts'
import { checkCode, codeRules, issueCode } from './sms-codes.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { memorySms } from './testkit.ts'

const ctx = useDb(test)
const phone = '+994501234567'

test('an issued code is six digits, sent by SMS and stored only as a hash', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const res = await issueCode(ctx.db, sms, { cabinetId: cab.id, purpose: 'confirm_mobile', phone })
  t.true(res.ok)
  const code = sms.lastCode(phone)
  t.regex(code, /^\d{6}$/)
  const rows = await ctx.db('sms_codes').where({ cabinet_id: cab.id })
  t.is(rows.length, 1)
  t.false(JSON.stringify(rows, (_k, v) => typeof v === 'bigint' ? String(v) : v)
    .includes(code))
})

test('the right code confirms once and returns the phone', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const res = await issueCode(ctx.db, sms, { cabinetId: cab.id, purpose: 'confirm_mobile', phone })
  if (!res.ok) return t.fail()
  const req = { codeId: res.codeId, cabinetId: cab.id, purpose: 'confirm_mobile' as const }
  t.deepEqual(await checkCode(ctx.db, { ...req, code: sms.lastCode() }), { ok: true, phone })
  t.deepEqual(await checkCode(ctx.db, { ...req, code: sms.lastCode() }),
    { ok: false, reason: 'unknown' })
})

test('a code is refused for another cabinet or another purpose', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const other = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const res = await issueCode(ctx.db, sms, { cabinetId: cab.id, purpose: 'confirm_mobile', phone })
  if (!res.ok) return t.fail()
  const code = sms.lastCode()
  t.is((await checkCode(ctx.db,
    { codeId: res.codeId, cabinetId: other.id, purpose: 'confirm_mobile', code })).ok, false)
  t.is((await checkCode(ctx.db,
    { codeId: res.codeId, cabinetId: cab.id, purpose: 'reset_password', code })).ok, false)
})

test('five wrong codes use up the code, even the right one after them', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const res = await issueCode(ctx.db, sms, { cabinetId: cab.id, purpose: 'confirm_mobile', phone })
  if (!res.ok) return t.fail()
  const right = sms.lastCode()
  const wrong = right === '000000' ? '111111' : '000000'
  const req = { codeId: res.codeId, cabinetId: cab.id, purpose: 'confirm_mobile' as const }
  for (let left = codeRules.maxAttempts - 1; left > 0; left--) {
    t.deepEqual(await checkCode(ctx.db, { ...req, code: wrong }),
      { ok: false, reason: 'wrong', attemptsLeft: left })
  }
  t.deepEqual(await checkCode(ctx.db, { ...req, code: wrong }), { ok: false, reason: 'exhausted' })
  t.deepEqual(await checkCode(ctx.db, { ...req, code: right }), { ok: false, reason: 'exhausted' })
})

test('parallel guesses never exceed the attempt limit', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const res = await issueCode(ctx.db, sms, { cabinetId: cab.id, purpose: 'confirm_mobile', phone })
  if (!res.ok) return t.fail()
  const right = sms.lastCode()
  const guesses = Array.from({ length: 20 }, (_, i) => String(i).padStart(6, '0'))
    .filter((g) => g !== right)
  await Promise.all(guesses.map((code) => checkCode(ctx.db,
    { codeId: res.codeId, cabinetId: cab.id, purpose: 'confirm_mobile', code })))
  const row = await ctx.db('sms_codes').where({ id: res.codeId }).first()
  t.is(row.attempts, codeRules.maxAttempts)
})

test('a code past its five minutes is expired', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const start = new Date()
  const res = await issueCode(ctx.db, sms,
    { cabinetId: cab.id, purpose: 'reset_password', phone }, start)
  if (!res.ok) return t.fail()
  const late = new Date(start.getTime() + codeRules.lifetimeMs)
  t.deepEqual(await checkCode(ctx.db, { codeId: res.codeId, cabinetId: cab.id,
    purpose: 'reset_password', code: sms.lastCode() }, late), { ok: false, reason: 'expired' })
})

test('a second code within a minute is refused with the wait, later allowed', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const req = { cabinetId: cab.id, purpose: 'confirm_mobile' as const, phone }
  const start = new Date()
  t.true((await issueCode(ctx.db, sms, req, start)).ok)
  const soon = await issueCode(ctx.db, sms, req, new Date(start.getTime() + 20_000))
  t.deepEqual(soon, { ok: false, reason: 'throttled', retryAfterSec: 40 })
  t.true((await issueCode(ctx.db, sms, req, new Date(start.getTime() + 61_000))).ok)
  t.is(sms.sent.length, 2)
})

test('no more than five codes go out in an hour', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const sms = memorySms()
  const req = { cabinetId: cab.id, purpose: 'reset_password' as const, phone }
  const start = Date.now()
  for (let i = 0; i < codeRules.perHour; i++) {
    t.true((await issueCode(ctx.db, sms, req, new Date(start + i * 120_000))).ok)
  }
  const sixth = await issueCode(ctx.db, sms, req, new Date(start + 11 * 60_000))
  t.like(sixth, { ok: false, reason: 'throttled' })
})

test('a code the SMS gateway could not send is forgotten, so a retry is not throttled',
  async (t) => {
    const cab = await cabinetFactory(ctx.db)
    const failing = { driver: 'failing', send: async () => {
      throw new GatewayError('unavailable', 'down')
    } }
    const req = { cabinetId: cab.id, purpose: 'confirm_mobile' as const, phone }
    const err = await t.throwsAsync(issueCode(ctx.db, failing, req))
    t.true(isGatewayError(err, 'unavailable'))
    t.true((await issueCode(ctx.db, memorySms(), req)).ok)
  })
