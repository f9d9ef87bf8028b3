import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { runCommand } from './cli-run.testkit.ts'

const ctx = useDb(test)
const dir = mkdtempSync(path.join(tmpdir(), 'people-import-'))
const header = 'document,fin,surname,name,patronymic,sex,birth_date,citizenship,district,address'

function file(name: string, text: string): string {
  const p = path.join(dir, name)
  writeFileSync(p, text)
  return p
}

test.serial('people:import loads the sample and a second run reports no change', async (t) => {
  const first = await runCommand(ctx.url, ['people:import', 'test/fixtures/people.csv'])
  t.is(first.code, 0, first.stderr)
  t.is(first.stdout, 'imported 10, updated 0, unchanged 0, rejected 0\n')
  const again = await runCommand(ctx.url, ['people:import', 'test/fixtures/people.csv'])
  t.is(again.stdout, 'imported 0, updated 0, unchanged 10, rejected 0\n')
  t.is(Number((await ctx.db('people').count('* as n').first())?.n), 10)
})

test.serial('people:import lists rejected rows by line and exits 1', async (t) => {
  const csv = file('bad.csv', [header,
    'AA0000001,1AAAAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000002,1AAAAA,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000003,1AAAAAC,ƏLİYEV,ƏLİ,,male,1980-02-30,AZE,,', ''].join('\n'))
  const run = await runCommand(ctx.url, ['people:import', csv])
  t.is(run.code, 1)
  t.is(run.stdout, 'imported 1, updated 0, unchanged 0, rejected 2\n'
    + 'line 3: FIN must be 7 characters: digits and Latin capital letters\n'
    + 'line 4: birth_date must be a calendar date like 1990-06-15\n')
})

const unreadable: Array<[string, () => string, RegExp]> = [
  ['a missing file', () => path.join(dir, 'nope.csv'), /cannot read .*nope\.csv: ENOENT/],
  ['a directory', () => dir, /cannot read .*EISDIR/],
  ['a file without the person columns', () => file('cols.csv', 'document,fin\nAA0000001,X\n'),
    /lacks column\(s\) surname/],
  ['an empty file', () => file('empty.csv', ''), /no header/],
]
for (const [what, make, reason] of unreadable) {
  test.serial(`people:import of ${what} exits 2 with a one-line reason`, async (t) => {
    const run = await runCommand(ctx.url, ['people:import', make()])
    t.is(run.code, 2)
    t.is(run.stderr.trim().split('\n').length, 1)
    t.regex(run.stderr, reason)
  })
}

test.serial('people:import stops at a CSV syntax error, keeps earlier rows, exits 2', async (t) => {
  const csv = file('quote.csv', [header,
    'AA0000005,1AAAAAE,ƏLİYEV,ƏLİ,,male,1980-01-01,AZE,,',
    'AA0000006,1AAAAAF,ƏLİYEV,"ƏLİ"x,,male,1980-01-01,AZE,,', ''].join('\n'))
  const run = await runCommand(ctx.url, ['people:import', csv])
  t.is(run.code, 2)
  t.regex(run.stdout, /^imported 1,/)
  t.regex(run.stderr, /not valid CSV from line 3/)
  t.truthy(await ctx.db('people').where({ document: 'AA0000005' }).first())
})

test('people:import --help explains the exit codes', async (t) => {
  const run = await runCommand(ctx.url, ['people:import', '--help'])
  t.is(run.code, 0)
  t.regex(run.stdout, /Exit code: 0 every row imported, 1 some rows rejected/)
})
