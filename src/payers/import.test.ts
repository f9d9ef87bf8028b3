import { createReadStream, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import test from 'ava'
import type { GatewayError } from '../errors.ts'
import { useDb } from '../../test/helpers/db.ts'
import { importPeople } from './import.ts'
import { localRegistry } from './registry.ts'

const ctx = useDb(test)
const sample = 'test/fixtures/people.csv'
const header = 'document,fin,surname,name,patronymic,sex,birth_date,citizenship,district,address'

// Feeds text in small pieces, so rows arrive split across chunks as from a file.
function chunked(text: string, size = 7): Readable {
  const pieces: Buffer[] = []
  const bytes = Buffer.from(text)
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size))
  return Readable.from(pieces)
}

async function wipe() {
  await ctx.db('people').del()
}

test.serial('the sample file imports every person, and a re-import changes nothing', async (t) => {
  await wipe()
  const first = await importPeople(ctx.db, createReadStream(sample))
  t.deepEqual(first, { imported: 10, updated: 0, unchanged: 0, rejected: [] })
  const again = await importPeople(ctx.db, createReadStream(sample), { batchSize: 3 })
  t.deepEqual(again, { imported: 0, updated: 0, unchanged: 10, rejected: [] })

  const person = await localRegistry(ctx.db).findByDocument('DYI0007777')
  t.like(person, { surname: 'YILMAZ', patronymic: '', citizenship: 'TUR', series: 'DYI' })
  t.like(await localRegistry(ctx.db).findByDocument('AA2000004'),
    { patronymic: '<TOĞRUL> & CO QIZI' })
})

test.serial('a re-import with changed data updates those people only', async (t) => {
  await wipe()
  await importPeople(ctx.db, createReadStream(sample))
  const changed = readFileSync(sample, 'utf8')
    .replace('Nəsimi ray. S.Vurğun küç. 12 m. 4', 'Nəsimi ray. Yeni küç. 1')
    .replace('AA7654321,6BQ2M7T,MƏMMƏDOVA', 'AA7654321,6BQ2M7T,ƏLİYEVA')
  const report = await importPeople(ctx.db, chunked(changed))
  t.deepEqual(report, { imported: 0, updated: 2, unchanged: 8, rejected: [] })
  t.like(await localRegistry(ctx.db).findByDocument('AA7654321'), { surname: 'ƏLİYEVA' })
})

test.serial('bad rows are reported by line and the good ones still land', async (t) => {
  await wipe()
  const csv = [
    header,
    'AA0000001,1AAAAAA,ƏLİYEV,ƏLİ,VƏLİ OĞLU,male,1980-01-01,AZE,Nəsimi,Bakı',
    'AA00001,1AAAAAB,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000003,1AAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    '',
    'AA0000004,1AAAAAD,,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000005,1AAAAAE,ƏLİYEV,ƏLİ,,male,2023-02-29,AZE,,',
    'AA0000006,1AAAAAF,ƏLİYEV,ƏLİ,,x,1980-01-01,AZE,,',
    'AA0000007,1AAAAAG,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE',
    'AA0000001,1AAAAAH,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000009,1AAAAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'aa 0000010,1aaaaai,ƏLİYEVA,LEYLA,,female,1990-12-31,aze,Yasamal,"Bakı,',
    'Yasamal ray., ""Günəş"" MTK"',
    'AA0000011,1AAAAAJ,ƏLİYEV,ƏLİ,,male,2999-01-01,AZE,,',
    'AA0000012,1AAAAAK,ƏLİYEV,ƏLİ,,male,1980-01-01,AZ,,',
    'AA0000013,1AAAAAL,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    '',
  ].join('\r\n')
  const report = await importPeople(ctx.db, chunked(csv), { batchSize: 2 })
  t.deepEqual(report.rejected, [
    { line: 3, reason: 'document number must be AA and 7 digits' },
    { line: 4, reason: 'FIN must be 7 characters: digits and Latin capital letters' },
    { line: 6, reason: 'surname is empty' },
    { line: 7, reason: 'birth_date must be a calendar date like 1990-06-15' },
    { line: 8, reason: 'sex must be male or female' },
    { line: 9, reason: "has fewer fields than the header's 10" },
    { line: 10, reason: 'document AA0000001 already on line 2' },
    { line: 11, reason: 'the same FIN is already on line 2' },
    { line: 14, reason: 'birth_date must be between 1900-01-01 and today' },
    { line: 15, reason: 'citizenship must be a 3-letter country code such as AZE' },
  ])
  t.is(report.imported, 3)
  const documents = await ctx.db('people').orderBy('document').pluck('document')
  t.deepEqual(documents, ['AA0000001', 'AA0000010', 'AA0000013'])
  t.like(await localRegistry(ctx.db).findByDocument('AA0000010'), {
    fin: '1AAAAAI', citizenship: 'AZE', birthDate: '1990-12-31',
    address: 'Bakı, Yasamal ray., "Günəş" MTK',
  })
})

test.serial('a person with a renewed document replaces the old document row', async (t) => {
  await wipe()
  await importPeople(ctx.db, chunked(`${header}\n`
    + 'AZE12345678,2BBBBBB,QULİYEV,ƏLİ,,male,1985-02-03,AZE,,\n'))
  const report = await importPeople(ctx.db, chunked(`${header}\n`
    + 'AA0000002,2BBBBBB,QULİYEV,ƏLİ,,male,1985-02-03,AZE,,\n'))
  t.deepEqual(report, { imported: 0, updated: 1, unchanged: 0, rejected: [] })
  t.deepEqual(await ctx.db('people').pluck('document'), ['AA0000002'])
})

test.serial('a header without the person columns is refused before any row', async (t) => {
  await wipe()
  const err = await t.throwsAsync<GatewayError>(importPeople(ctx.db,
    chunked('document,fin,surname\nAA0000001,1AAAAAA,ƏLİYEV\n')))
  t.is(err?.code, 'bad_request')
  t.regex(err?.message ?? '', /lacks column\(s\) name, patronymic, sex, birth_date/)
  const empty = await t.throwsAsync<GatewayError>(importPeople(ctx.db, chunked('')))
  t.regex(empty?.message ?? '', /no header/)
  t.is(await ctx.db('people').count('* as n').first().then((r) => Number(r?.n)), 0)
})

test.serial('a CSV syntax error stops the import there and keeps what came before', async (t) => {
  await wipe()
  const csv = [
    header,
    'AA0000001,1AAAAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000002,1AAAAAB,ƏLİYEV,"ƏLİ"x,,male,1980-01-01,AZE,,',
    'AA0000003,1AAAAAC,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
  ].join('\n')
  const report = await importPeople(ctx.db, chunked(csv))
  t.is(report.imported, 1)
  t.is(report.stopped?.line, 3)
  t.regex(report.stopped?.reason ?? '', /Closing Quote/)
  t.deepEqual(await ctx.db('people').pluck('document'), ['AA0000001'])
})

test.serial('line numbers stay right after a quoted field spanning CRLF lines', async (t) => {
  await wipe()
  const csv = [
    header,
    'AA0000001,1AAAAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,"Bakı,',
    '',
    'Yasamal"',
    'AA0000002,1AAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000003,1AAAAAC,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,x"y"z',
  ].join('\r\n')
  const report = await importPeople(ctx.db, chunked(csv))
  t.deepEqual(report.rejected,
    [{ line: 5, reason: 'FIN must be 7 characters: digits and Latin capital letters' }])
  t.is(report.imported, 1)
  t.is(report.stopped?.line, 6)
  t.like(await localRegistry(ctx.db).findByDocument('AA0000001'),
    { address: 'Bakı, Yasamal' })
})

test.serial('a syntax error in the header refuses the whole file', async (t) => {
  const err = await t.throwsAsync<GatewayError>(importPeople(ctx.db,
    chunked('"document,fin\nAA0000001,1AAAAAA\n')))
  t.is(err?.code, 'bad_request')
  t.regex(err?.message ?? '', /not a readable CSV file: Quote Not Closed/)
})

test.serial('a file that cannot be opened fails with its own error', async (t) => {
  const err = await t.throwsAsync(importPeople(ctx.db,
    createReadStream('no-such-people.csv')))
  t.is((err as NodeJS.ErrnoException).code, 'ENOENT')
})
