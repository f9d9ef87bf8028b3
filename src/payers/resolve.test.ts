import test from 'ava'
import type { ErrorCode, GatewayError } from '../errors.ts'
import { useDb } from '../../test/helpers/db.ts'
import { blockCabinet } from './cabinets.ts'
import { resolvePayer, type PayerMode } from './resolve.ts'
import { makeCabinet } from './testkit.ts'

const ctx = useDb(test)

const holder = {
  surname: 'HƏMİDOV', name: 'VÜSAL', patronymic: 'MUSƏYRƏLİ OĞLU',
}

test('a payer is found by document, by cabinet number or by either', async (t) => {
  const cab = await makeCabinet(ctx.db, 1, holder)
  const expected = { cabinetId: cab.id, number: cab.number, maskedName: 'HƏMİDOV V. M.',
    fullName: 'HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU', blocked: false }
  const refs: Array<[string, PayerMode]> = [
    ['AA0000001', 'document'], [' аа 000-0001 ', 'document'], [String(cab.number), 'cabinet'],
    ['AA0000001', 'either'], [` ${cab.number} `, 'either'],
  ]
  for (const [ref, mode] of refs) {
    t.deepEqual(await resolvePayer(ctx.db, ref, mode), expected, `${ref} as ${mode}`)
  }
})

test('what a payer lookup answers carries neither balance nor FIN', async (t) => {
  const cab = await makeCabinet(ctx.db, 2, holder)
  const payer = await resolvePayer(ctx.db, String(cab.number), 'cabinet')
  t.deepEqual(Object.keys(payer).sort(),
    ['blocked', 'cabinetId', 'fullName', 'maskedName', 'number'])
  t.false(JSON.stringify(payer, (_k, v) => typeof v === 'bigint' ? String(v) : v)
    .includes(cab.person.fin))
})

test('references are refused or not found, each with its own code', async (t) => {
  const cab = await makeCabinet(ctx.db, 3, holder)
  const wrongCheck = String(cab.number).slice(0, -1)
    + String((Number(String(cab.number).slice(-1)) + 1) % 10)
  const cases: Array<[string, PayerMode, ErrorCode]> = [
    [wrongCheck, 'cabinet', 'account_format'],
    [`0${cab.number}`, 'cabinet', 'account_format'],
    ['AA0000003', 'cabinet', 'account_format'],
    [String(cab.number), 'document', 'account_format'],
    ['AA000000', 'either', 'account_format'],
    ['#12', 'either', 'account_format'],
    ['', 'either', 'account_format'],
    ['AA0000999', 'document', 'payer_not_found'],
    ['1000000000007', 'either', 'payer_not_found'],
  ]
  for (const [ref, mode, code] of cases) {
    const err = await t.throwsAsync<GatewayError>(resolvePayer(ctx.db, ref, mode))
    t.is(err?.code, code, `${ref} as ${mode}`)
  }
})

test('a blocked cabinet is refused unless the caller allows blocked ones', async (t) => {
  const cab = await makeCabinet(ctx.db, 4, holder)
  await blockCabinet(ctx.db, cab.id)
  const err = await t.throwsAsync<GatewayError>(resolvePayer(ctx.db, 'AA0000004', 'document'))
  t.is(err?.code, 'cabinet_blocked')
  t.like(await resolvePayer(ctx.db, 'AA0000004', 'document', { allowBlocked: true }),
    { cabinetId: cab.id, blocked: true })
})
