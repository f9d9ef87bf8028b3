import { Readable } from 'node:stream'
import test from 'ava'
import { isGatewayError } from '../errors.ts'
import type { RegistryEvent } from './fields.ts'
import { parseQiwiTsv } from './parse-tsv.ts'
import { registryProfile } from './profile.ts'
import { providersWith } from './testkit.ts'

async function events(text: string | Buffer, chunk = 7): Promise<RegistryEvent[]> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const parts: Buffer[] = []
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk))
  const out: RegistryEvent[] = []
  for await (const batch of parseQiwiTsv(Readable.from(parts), 'utf-8')) out.push(...batch)
  return out
}

const malformed: Array<[string, RegExp]> = [
  ['1\t03.12.2026\t12:00:00\tAA0123456', /expected 5 tab-separated fields, found 4/],
  ['1\t03.12.2026\t12:00:00\tAA0123456\t10,45', /amount "10,45" is not a decimal/],
  ['1\t03.12.2026\t12:00:00\tAA0123456\t10.455', /amount "10.455"/],
  ['1\t03.12.2026\t12:00:00\tAA0123456\t-5', /amount "-5"/],
  ['1\t03.12.2026\t12:00:00\tAA0123456\t0', /above zero/],
  ['1\t03.12.2026\t12:00:00\tAA0123456\t1e3', /amount "1e3"/],
  ['1\t29.02.2026\t12:00:00\tAA0123456\t1.00', /date "29.02.2026"/],
  ['1\t2026-12-03\t12:00:00\tAA0123456\t1.00', /date "2026-12-03" is not a date like 03.12/],
  ['1\t03.12.2026\t24:00:00\tAA0123456\t1.00', /time "24:00:00"/],
  ['a b\t03.12.2026\t12:00:00\tAA0123456\t1.00', /transaction id "a b" is not valid/],
  ['1\t03.12.2026\t12:00:00\t\t1.00', /account "" is not valid/],
]

for (const [line, reason] of malformed) {
  test(`a QIWI line is malformed: ${reason.source}`, async (t) => {
    const [first, second] = await events(`${line}\r\n2\t03.12.2026\t12:00:00\tX\t1.00\n`)
    t.like(first, { kind: 'malformed', line: 1 })
    t.regex((first as { reason: string }).reason, reason)
    t.like(second, { kind: 'record', record: { line: 2, amount: 100n } })
  })
}

test('QIWI lines are read across chunk boundaries, with a BOM, CRLF and blank lines', async (t) => {
  const text = '\ufeff77\t03.12.2026\t23:59:59\tAA0123456\t10.45\r\n\r\n'
    + '78\t04.12.2026\t00:00:00\tAZE12345678\t1\r\nTotal: 2 11.45'
  for (const chunk of [1, 3, 64]) {
    t.deepEqual(await events(text, chunk), [
      { kind: 'record', record: { line: 1, externalId: '77', localTime: '2026-12-03 23:59:59',
        account: 'AA0123456', amount: 1045n } },
      { kind: 'record', record: { line: 3, externalId: '78', localTime: '2026-12-04 00:00:00',
        account: 'AZE12345678', amount: 100n } },
      { kind: 'trailer', line: 4, count: 2n, sum: 1145n },
    ])
  }
})

test('a line after the trailer, or a second trailer, is malformed', async (t) => {
  const out = await events('Total: 0 0.00\nTotal: 0 0.00\n1\t03.12.2026\t12:00:00\tX\t1.00\n')
  t.deepEqual(out.map((e) => e.kind), ['trailer', 'malformed', 'malformed'])
})

test('a line that is not valid UTF-8 is malformed and the others are kept', async (t) => {
  const bytes = Buffer.concat([Buffer.from('1\t03.12.2026\t12:00:00\t'), Buffer.from([0xff]),
    Buffer.from('\t1.00\n2\t03.12.2026\t12:00:00\tX\t1.00\n')])
  const out = await events(bytes)
  t.like(out[0], { kind: 'malformed', line: 1, reason: 'not valid utf-8 text' })
  t.like(out[1], { kind: 'record' })
})

test('a provider without a registry option gets QIWI TSV in its own zone at midnight', (t) => {
  const file = providersWith({ a: { timeZone: 'Europe/Moscow' },
    b: { registry: { format: 'xml', cutoff: '23:00', encoding: 'windows-1251' } } })
  t.deepEqual(registryProfile(file, 'a'), { provider: 'a', format: 'qiwi-tsv',
    timeZone: 'Europe/Moscow', cutoff: '00:00', encoding: 'utf-8' })
  t.like(registryProfile(file, 'b'), { format: 'xml', timeZone: 'Asia/Baku', cutoff: '23:00' })
  t.like(registryProfile(file, 'b', { format: 'csv' }), { format: 'csv' })
})

test('a wrong registry option or provider is a usage error', (t) => {
  const file = providersWith({ a: { registry: { format: 'fax' } },
    b: { registry: { cutoff: '25:00' } }, c: { registry: { encoding: 'klingon' } } })
  for (const [provider, message] of [['a', /registry option: format/], ['b', /cutoff/],
    ['c', /encoding/], ['zz', /unknown provider "zz"/]] as const) {
    const err = t.throws(() => registryProfile(file, provider))
    t.true(isGatewayError(err, 'bad_request'))
    t.regex(err?.message ?? '', message)
  }
  t.throws(() => registryProfile(providersWith({ d: {} }), 'd', { format: 'pdf' }),
    { message: /unknown registry format "pdf"/ })
})
