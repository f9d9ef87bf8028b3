import test from 'ava'
import { accountId, cabinetAccount, post } from '../ledger/index.ts'
import { parseCabinetNumber, verifyPassword } from '../payers/index.ts'
import { makePerson, seedPeople } from '../payers/testkit.ts'
import { useDb } from '../../test/helpers/db.ts'
import { runCommand } from './cli-run.testkit.ts'

const ctx = useDb(test)

const hamidov = makePerson(1, { document: 'AA0123456', documentNumber: 'AA0123456',
  fin: '5ZX9K2L', surname: 'HƏMİDOV', name: 'VÜSAL', patronymic: 'MUSƏYRƏLİ OĞLU',
  birthDate: '1977-11-30' })

test.serial('a cabinet is created, shown with a masked FIN and its balance', async (t) => {
  await seedPeople(ctx.db, [hamidov])
  const made = await runCommand(ctx.url, ['cabinet:create', '--doc', 'аа 0123456',
    '--fin', '5zx9k2l', '--password-stdin', '--mobile', '+994 50 123 45 67'],
  'Gizli şifrə 2026\n')
  t.is(made.code, 0, made.stderr)
  t.regex(made.stdout, /^\d+\n$/)
  const number = parseCabinetNumber(made.stdout.trim())

  const row = await ctx.db('cabinets').where({ number: String(number) }).first()
  t.true(await verifyPassword('Gizli şifrə 2026', row.password_hash))
  await post(ctx.db, { key: 'cli-test-credit', kind: 'credit', legs: [
    { account: await cabinetAccount(ctx.db, row.id), amount: 1045n },
    { account: await accountId(ctx.db, { kind: 'clearing', provider: 'clitest' }),
      amount: -1045n },
  ] })

  const shown = await runCommand(ctx.url, ['cabinet:show', String(number)])
  t.is(shown.code, 0, shown.stderr)
  t.regex(shown.stdout, new RegExp(`^cabinet +${number}$`, 'm'))
  t.regex(shown.stdout, /^name +HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU$/m)
  t.regex(shown.stdout, /^FIN +5ZX\*\*\*\*$/m)
  t.regex(shown.stdout, /^balance +10\.45 AZN$/m)
  t.regex(shown.stdout, /^blocked +no$/m)
  t.false(shown.stdout.includes('5ZX9K2L'))

  const json = await runCommand(ctx.url, ['cabinet:show', 'AA0123456', '--json'])
  t.is(json.code, 0, json.stderr)
  const view = JSON.parse(json.stdout)
  t.like(view, { number: String(number), document: 'AA0123456', fin: '5ZX****',
    balance: '10.45', currency: 'AZN', blocked: false, mobile: '+994501234567',
    birthDate: '1977-11-30' })
  t.false(json.stdout.includes('5ZX9K2L'))
  t.false(json.stdout.includes('scrypt'))
})

test.serial('cabinet:block and cabinet:unblock flip the flag and say so', async (t) => {
  const person = makePerson(2)
  await seedPeople(ctx.db, [person])
  const made = await runCommand(ctx.url, ['cabinet:create', '--series', '-', '--doc',
    person.document, '--fin', person.fin, '--password', 'Parol2026'])
  const number = made.stdout.trim()
  const steps: Array<[string, string, string]> = [
    ['cabinet:block', `cabinet ${number} blocked\n`, 'yes'],
    ['cabinet:block', `cabinet ${number} was already blocked\n`, 'yes'],
    ['cabinet:unblock', `cabinet ${number} unblocked\n`, 'no'],
    ['cabinet:unblock', `cabinet ${number} was already unblocked\n`, 'no'],
  ]
  for (const [command, said, flag] of steps) {
    const run = await runCommand(ctx.url, [command, number])
    t.is(run.code, 0, run.stderr)
    t.is(run.stdout, said)
    const shown = await runCommand(ctx.url, ['cabinet:show', number])
    t.regex(shown.stdout, new RegExp(`^blocked +${flag}$`, 'm'))
  }
})

const failures: Array<[string, string[], number, RegExp, string?]> = [
  ['a second registration', ['cabinet:create', '--doc', 'AA0123456', '--fin', '5ZX9K2L',
    '--password', 'Parol2026'], 1, /already registered/],
  ['a FIN of someone else', ['cabinet:create', '--doc', 'AA0000003', '--fin', 'AAAAAAA',
    '--password', 'Parol2026'], 2, /FIN does not match/],
  ['a document not in the registry', ['cabinet:create', '--doc', 'AA9999999', '--fin',
    'AAAAAAA', '--password', 'Parol2026'], 1, /not in the population registry/],
  ['a weak password from stdin', ['cabinet:create', '--doc', 'AA0000003', '--fin',
    makePerson(3).fin, '--password-stdin'], 2, /at least 8 characters/, 'short\n'],
  ['no password', ['cabinet:create', '--doc', 'AA0000003', '--fin', makePerson(3).fin],
    2, /a password is required/],
  ['both password options', ['cabinet:create', '--doc', 'AA0000003', '--fin',
    makePerson(3).fin, '--password', 'Parol2026', '--password-stdin'], 2, /not both/],
  ['a mistyped cabinet number', ['cabinet:show', '1000016'], 1, /wrong check digit/],
  ['an unknown cabinet number', ['cabinet:block', '1000000000007'], 1, /no cabinet has number/],
  ['a malformed reference', ['cabinet:unblock', 'AA12'], 1, /AA and 7 digits/],
  ['a missing argument', ['cabinet:show'], 2, /missing required argument/],
]
for (const [what, args, code, reason, input] of failures) {
  test.serial(`${args[0]} with ${what} exits ${code} with a one-line reason`, async (t) => {
    await seedPeople(ctx.db, [hamidov, makePerson(3)])
    const run = await runCommand(ctx.url, args, input)
    t.is(run.code, code, run.stdout)
    t.is(run.stderr.trim().split('\n')[0]?.match(reason)?.length, 1, run.stderr)
    t.is(run.stdout, '')
  })
}

for (const command of ['cabinet:create', 'cabinet:show', 'cabinet:block', 'cabinet:unblock',
  'people:import']) {
  test(`${command} --help describes it and exits 0`, async (t) => {
    const run = await runCommand(ctx.url, [command, '--help'])
    t.is(run.code, 0)
    t.regex(run.stdout, new RegExp(`^Usage: cabinet-gateway ${command}`))
  })
}
