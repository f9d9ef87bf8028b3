import test from 'ava'
import { isGatewayError, type ErrorCode, type GatewayError } from '../errors.ts'
import { useDb } from '../../test/helpers/db.ts'
import {
  blockCabinet, createCabinet, findCabinet, unblockCabinet,
} from './cabinets.ts'
import { parseCabinetNumber } from './formats.ts'
import { verifyPassword } from './password.ts'
import type { Person } from './person.ts'
import { createRegistry, localRegistry, type PopulationRegistry } from './registry.ts'
import { makePerson, seedPeople } from './testkit.ts'

const ctx = useDb(test)

// Holds every lookup until `parties` of them have arrived, so that
// registrations reach the database at the same moment.
function barrierRegistry(inner: PopulationRegistry, parties: number): PopulationRegistry {
  let arrived = 0
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  return {
    async findByDocument(document) {
      arrived += 1
      if (arrived >= parties) release()
      await gate
      return inner.findByDocument(document)
    },
  }
}

test('a cabinet keeps the registry snapshot, a hashed password and an open account', async (t) => {
  const person = makePerson(1, { birthDate: '1977-11-30', patronymic: 'MUSƏYRƏLİ OĞLU' })
  await seedPeople(ctx.db, [person])
  const { id, number } = await createCabinet(ctx.db, localRegistry(ctx.db), {
    document: ' аа 0000001 ', fin: person.fin.toLowerCase(), password: 'Parol2026',
    mobile: '050 123 45 67', email: 'Ilqar@Mail.AZ',
  })
  t.is(parseCabinetNumber(String(number)), number)

  const cabinet = await findCabinet(ctx.db, { id })
  t.like(cabinet, {
    number, document: 'AA0000001', series: '-', documentNumber: 'AA0000001', fin: person.fin,
    surname: person.surname, patronymic: 'MUSƏYRƏLİ OĞLU', birthDate: '1977-11-30',
    mobile: '+994501234567', email: 'Ilqar@mail.az', blocked: false,
  })
  const row = await ctx.db('cabinets').where({ id }).first('password_hash')
  t.true(await verifyPassword('Parol2026', row.password_hash))

  const account = await ctx.db('accounts').where({ cabinet_id: id }).first()
  t.like(account, { kind: 'cabinet', code: `cabinet:${id}`, tracked: true,
    allow_negative: false, balance: 0n })
})

test('an old AZE card registers with its series and digits apart', async (t) => {
  const person = makePerson(2, { document: 'AZE12345678', series: 'AZE',
    documentNumber: '12345678' })
  await seedPeople(ctx.db, [person])
  const { id } = await createCabinet(ctx.db, localRegistry(ctx.db),
    { document: 'aze 1234 5678', fin: person.fin, password: 'Parol2026' })
  t.like(await findCabinet(ctx.db, { id }),
    { series: 'AZE', documentNumber: '12345678', document: 'AZE12345678' })
})

test('a document the registry does not know is payer_not_found', async (t) => {
  const err = await t.throwsAsync<GatewayError>(createCabinet(ctx.db, localRegistry(ctx.db),
    { document: 'AA9999999', fin: '9ZZZZZZ', password: 'Parol2026' }))
  t.is(err?.code, 'payer_not_found')
})

test('a FIN that does not match the document is refused and nothing is written', async (t) => {
  const person = makePerson(3)
  await seedPeople(ctx.db, [person])
  const before = await ctx.db('cabinets').count<[{ count: bigint }]>('* as count')
  const err = await t.throwsAsync<GatewayError>(createCabinet(ctx.db, localRegistry(ctx.db),
    { document: person.document, fin: 'ZZZZZZ9', password: 'Parol2026' }))
  t.is(err?.code, 'bad_request')
  t.is(err?.details.reason, 'fin_mismatch')
  t.notRegex(err?.message ?? '', new RegExp(person.fin))
  t.deepEqual(await ctx.db('cabinets').count('* as count'), before)
})

test('input is checked before the registry is asked', async (t) => {
  let asked = 0
  const registry: PopulationRegistry = {
    async findByDocument() { asked += 1; return null },
  }
  const cases: Array<[Parameters<typeof createCabinet>[2], ErrorCode, string | undefined]> = [
    [{ document: 'AA12', fin: '5ZX9K2L', password: 'Parol2026' }, 'account_format', undefined],
    [{ document: 'AA0123456', fin: '5ZX9', password: 'Parol2026' }, 'account_format',
      undefined],
    [{ document: 'AA0123456', fin: '5ZX9K2L', password: 'parol' }, 'bad_request',
      'weak_password'],
    [{ document: 'AA0123456', fin: '5ZX9K2L', password: 'Parol2026', mobile: '12' },
      'bad_request', 'bad_mobile'],
    [{ document: 'AA0123456', fin: '5ZX9K2L', password: 'Parol2026', email: 'x' },
      'bad_request', 'bad_email'],
  ]
  for (const [input, code, reason] of cases) {
    const err = await t.throwsAsync<GatewayError>(createCabinet(ctx.db, registry, input))
    t.is(err?.code, code)
    t.is(err?.details.reason, reason)
  }
  t.is(asked, 0)
})

test('registering the same person twice is a conflict', async (t) => {
  const person = makePerson(4)
  await seedPeople(ctx.db, [person])
  const input = { document: person.document, fin: person.fin, password: 'Parol2026' }
  await createCabinet(ctx.db, localRegistry(ctx.db), input)
  const err = await t.throwsAsync<GatewayError>(
    createCabinet(ctx.db, localRegistry(ctx.db), input))
  t.is(err?.code, 'conflict')
  t.is(err?.details.reason, 'already_registered')
})

test('30 registrations at once get 30 different valid numbers', async (t) => {
  const people = Array.from({ length: 30 }, (_, i) => makePerson(100 + i))
  await seedPeople(ctx.db, people)
  const registry = barrierRegistry(localRegistry(ctx.db), people.length)
  const made = await Promise.all(people.map((p) => createCabinet(ctx.db, registry,
    { document: p.document, fin: p.fin, password: 'Parol2026' })))
  const numbers = new Set(made.map((c) => c.number))
  t.is(numbers.size, 30)
  for (const n of numbers) t.is(parseCabinetNumber(String(n)), n)
  const accounts = await ctx.db('accounts')
    .whereIn('cabinet_id', made.map((c) => String(c.id)))
  t.is(accounts.length, 30)
})

test('concurrent registrations with one FIN leave exactly one cabinet', async (t) => {
  const person = makePerson(200)
  await seedPeople(ctx.db, [person])
  const registry = barrierRegistry(localRegistry(ctx.db), 5)
  const results = await Promise.allSettled(Array.from({ length: 5 }, () =>
    createCabinet(ctx.db, registry,
      { document: person.document, fin: person.fin, password: 'Parol2026' })))
  const won = results.filter((r) => r.status === 'fulfilled')
  const lost = results.flatMap((r) => r.status === 'rejected' ? [r.reason] : [])
  t.is(won.length, 1)
  t.true(lost.every((e) => isGatewayError(e, 'conflict')
    && e.details.reason === 'already_registered'))
  t.is((await ctx.db('cabinets').where({ fin: person.fin })).length, 1)
  t.is((await ctx.db('accounts').whereIn('cabinet_id',
    ctx.db('cabinets').where({ fin: person.fin }).select('id'))).length, 1)
})

test('one FIN under an old and a renewed document still gets one cabinet', async (t) => {
  const renewed = makePerson(301, { fin: 'REN0001' })
  const old = { ...renewed, document: 'AZE30100000', series: 'AZE' as const,
    documentNumber: '30100000' }
  const byDocument = new Map<string, Person>([[renewed.document, renewed], [old.document, old]])
  const inner: PopulationRegistry = {
    async findByDocument(doc) { return byDocument.get(doc) ?? null },
  }
  const registry = barrierRegistry(inner, 2)
  const results = await Promise.allSettled([renewed, old].map((p) => createCabinet(ctx.db,
    registry, { document: p.document, fin: p.fin, password: 'Parol2026' })))
  t.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
  const failure = results.find((r) => r.status === 'rejected')
  t.true(isGatewayError(failure?.reason, 'conflict'))
  t.is((await ctx.db('cabinets').where({ fin: 'REN0001' })).length, 1)
})

test('blocking and unblocking say whether anything changed', async (t) => {
  const person = makePerson(400)
  await seedPeople(ctx.db, [person])
  const { id } = await createCabinet(ctx.db, localRegistry(ctx.db),
    { document: person.document, fin: person.fin, password: 'Parol2026' })
  t.true(await blockCabinet(ctx.db, id))
  t.false(await blockCabinet(ctx.db, id))
  t.true((await findCabinet(ctx.db, { id }))?.blocked)
  t.true(await unblockCabinet(ctx.db, id))
  t.false(await unblockCabinet(ctx.db, id))
  const err = await t.throwsAsync<GatewayError>(blockCabinet(ctx.db, 987654321n))
  t.is(err?.code, 'payer_not_found')
})

test('the local registry answers a person with a calendar birth date, or null', async (t) => {
  const person = makePerson(500, { birthDate: '2008-02-29' })
  await seedPeople(ctx.db, [person])
  const registry = localRegistry(ctx.db)
  t.deepEqual(await registry.findByDocument('aa 0000500'), person)
  t.is(await registry.findByDocument('AA0000501'), null)
  await t.throwsAsync(registry.findByDocument('AA05'), { message: /AA and 7 digits/ })
})

test('the local driver is the configured registry by default', async (t) => {
  const person = makePerson(600)
  await seedPeople(ctx.db, [person])
  const registry = createRegistry({ registryDriver: 'local', registryUrl: undefined }, ctx.db)
  t.deepEqual(await registry.findByDocument(person.document), person)
})
