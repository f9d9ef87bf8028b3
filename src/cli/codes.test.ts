import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { redeemCode } from '../account/index.ts'
import { holderFactory } from '../account/testkit.ts'
import { accountId, balanceOf } from '../ledger/index.ts'
import { isPaymentCode } from '../payments/code.ts'
import { runCommand } from './cli-run.testkit.ts'

const ctx = useDb(test)

test.serial('codes:issue prints a CSV of new codes and moves their sum into vouchers',
  async (t) => {
    const run = await runCommand(ctx.url, ['codes:issue', '--amount', '10.00', '--count', '5',
      '--provider', 'demo', '--batch', 'cli-1'])
    t.is(run.code, 0, run.stderr)
    const [header, ...lines] = run.stdout.trim().split('\n')
    t.is(header, 'code,amount,provider,batch,issued_at')
    t.is(lines.length, 5)
    for (const line of lines) {
      const [code, amount, provider, batch] = line.split(',')
      t.true(isPaymentCode(code as string))
      t.deepEqual([amount, provider, batch], ['10.00', 'demo', 'cli-1'])
    }
    t.regex(run.stderr, /issued 5 code\(s\), 50\.00 AZN in all, batch cli-1/)
    t.is(await balanceOf(ctx.db, await accountId(ctx.db, { kind: 'vouchers' })), 5000n)
    t.is(await balanceOf(ctx.db, await accountId(ctx.db, { kind: 'clearing',
      provider: 'demo' })), -5000n)

    const again = await runCommand(ctx.url, ['codes:issue', '--amount', '10.00', '--count',
      '5', '--provider', 'demo', '--batch', 'cli-1'])
    t.is(again.code, 0, again.stderr)
    t.is(again.stdout, run.stdout)
    t.regex(again.stderr, /issued before/)
    t.is(await balanceOf(ctx.db, await accountId(ctx.db, { kind: 'vouchers' })), 5000n)
  })

test('codes:issue writes a new file and codes:show tells whether a code was redeemed',
  async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'codes-'))
    const file = path.join(dir, 'codes.csv')
    const run = await runCommand(ctx.url, ['codes:issue', '--amount', '2.50', '--count', '2',
      '--provider', 'demo', '--output', file])
    t.is(run.code, 0, run.stderr)
    t.is(run.stdout, '')
    const code = (await readFile(file, 'utf8')).split('\n')[1]?.split(',')[0] as string
    const before = await runCommand(ctx.url, ['codes:show', code])
    t.regex(before.stdout, /^state +issued$/m)
    t.regex(before.stdout, /^amount +2\.50 AZN$/m)
    const cab = await holderFactory(ctx.db)
    t.like(await redeemCode(ctx.db, cab.id, code), { ok: true })
    const after = await runCommand(ctx.url, ['codes:show', code])
    t.regex(after.stdout, /^state +redeemed$/m)
    t.regex(after.stdout, new RegExp(`^redeemed by +${cab.number}$`, 'm'))
    const issuedBefore = await ctx.db('vouchers').count('* as n').first()
    const clash = await runCommand(ctx.url, ['codes:issue', '--amount', '2.50', '--count', '2',
      '--provider', 'demo', '--output', file])
    t.is(clash.code, 2, 'an existing file is not overwritten')
    t.regex(clash.stderr, /--output: EEXIST/)
    t.deepEqual(await ctx.db('vouchers').count('* as n').first(), issuedBefore,
      'nothing was issued')
  })

test('codes:issue refuses bad options with exit code 2 and issues nothing', async (t) => {
  const cases = [
    ['--amount', '10,00', '--count', '1', '--provider', 'demo'],
    ['--amount', '10.00', '--count', '0', '--provider', 'demo'],
    ['--amount', '10.00', '--count', '1', '--provider', 'nobody'],
    ['--amount', '10.00', '--count', '1'],
  ]
  const dir = await mkdtemp(path.join(tmpdir(), 'codes-'))
  for (const args of cases) {
    const file = path.join(dir, `${cases.indexOf(args)}.csv`)
    const run = await runCommand(ctx.url, ['codes:issue', ...args, '--output', file])
    t.is(run.code, 2, args.join(' '))
    t.is(run.stdout, '')
    await t.throwsAsync(readFile(file), { code: 'ENOENT' }, 'no file is left behind')
  }
  t.is((await ctx.db('vouchers').where({ provider: 'nobody' })).length, 0)
})
