import type { Command } from 'commander'
import { GatewayError } from '../errors.ts'
import { cabinetBalance } from '../ledger/index.ts'
import { formatAmount } from '../money.ts'
import {
  blockCabinet, createCabinet, createRegistry, findCabinet, fullName, parseDocumentParts,
  resolvePayer, unblockCabinet, type Cabinet,
} from '../payers/index.ts'
import { withDb } from './people.ts'

interface CreateOptions {
  doc: string
  series?: string
  fin: string
  password?: string
  passwordStdin?: boolean
  mobile?: string
  email?: string
}

export function registerCabinet(program: Command): void {
  program
    .command('cabinet:create')
    .description('open a cabinet for a person in the population registry; prints its number')
    .requiredOption('--doc <document>', 'identity document, e.g. AA0123456 or AZE12345678')
    .option('--series <series>', 'document series as on the form (-, AZE, MYI, DYI), '
      + 'when --doc holds only the digits')
    .requiredOption('--fin <fin>', 'the FIN printed on the document (7 characters)')
    .option('--password <password>', 'initial password (visible in shell history: '
      + 'prefer --password-stdin)')
    .option('--password-stdin', 'read the initial password from standard input')
    .option('--mobile <number>', 'mobile number, e.g. +994501234567')
    .option('--email <address>', 'e-mail address')
    .action(async (opts: CreateOptions) => {
      const password = await readPassword(opts)
      const document = opts.series === undefined ? opts.doc
        : parseDocumentParts(opts.series, opts.doc).document
      const { number } = await withDb((db, config) => createCabinet(db,
        createRegistry(config, db), { document, fin: opts.fin, password,
          mobile: opts.mobile, email: opts.email }))
      process.stdout.write(`${number}\n`)
    })

  program
    .command('cabinet:show')
    .description('show a cabinet: holder, masked FIN, balance and whether it is blocked')
    .argument('<ref>', 'cabinet number or identity document')
    .option('--json', 'print JSON instead of text')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const { cabinet, balance } = await withDb(async (db) => {
        const payer = await resolvePayer(db, ref, 'either', { allowBlocked: true })
        const found = await findCabinet(db, { id: payer.cabinetId })
        if (!found) throw new GatewayError('payer_not_found', `cabinet ${payer.number} is gone`)
        return { cabinet: found, balance: await cabinetBalance(db, payer.cabinetId) }
      })
      const view = cabinetView(cabinet, balance)
      process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : textView(view))
    })

  for (const [name, blocked] of [['cabinet:block', true], ['cabinet:unblock', false]] as const) {
    program
      .command(name)
      .description(blocked
        ? 'block a cabinet: payments to it are refused until it is unblocked'
        : 'unblock a cabinet')
      .argument('<number>', 'cabinet number (an identity document also works)')
      .action(async (ref: string) => {
        const { number, changed } = await withDb(async (db) => {
          const payer = await resolvePayer(db, ref, 'either', { allowBlocked: true })
          const changed = await (blocked ? blockCabinet : unblockCabinet)(db, payer.cabinetId)
          return { number: payer.number, changed }
        })
        const state = blocked ? 'blocked' : 'unblocked'
        process.stdout.write(changed
          ? `cabinet ${number} ${state}\n`
          : `cabinet ${number} was already ${state}\n`)
      })
  }
}

async function readPassword(opts: CreateOptions): Promise<string> {
  if (opts.password !== undefined && opts.passwordStdin) {
    throw new GatewayError('bad_request', 'give either --password or --password-stdin, not both')
  }
  if (opts.password !== undefined) return opts.password
  if (!opts.passwordStdin) {
    throw new GatewayError('bad_request', 'a password is required: --password-stdin or --password')
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

/** What an operator may see: everything but the FIN, which is masked. */
function cabinetView(c: Cabinet, balance: bigint) {
  return {
    number: String(c.number), document: c.document, series: c.series,
    documentNumber: c.documentNumber, fullName: fullName(c), sex: c.sex,
    birthDate: c.birthDate, citizenship: c.citizenship, district: c.district,
    address: c.address, fin: `${c.fin.slice(0, 3)}****`, mobile: c.mobile, email: c.email,
    balance: formatAmount(balance), currency: 'AZN', blocked: c.blocked,
    createdAt: c.createdAt.toISOString(),
  }
}

function textView(v: ReturnType<typeof cabinetView>): string {
  const rows: Array<[string, string]> = [
    ['cabinet', v.number],
    ['document', `${v.document} (series ${v.series})`],
    ['name', v.fullName],
    ['sex', v.sex],
    ['birth date', v.birthDate],
    ['citizenship', v.citizenship],
    ['address', [v.district, v.address].filter((s) => s !== '').join(', ') || '-'],
    ['FIN', v.fin],
    ['mobile', v.mobile ?? '-'],
    ['email', v.email ?? '-'],
    ['balance', `${v.balance} ${v.currency}`],
    ['blocked', v.blocked ? 'yes' : 'no'],
    ['created', v.createdAt],
  ]
  return rows.map(([k, val]) => `${k.padEnd(12)} ${val}\n`).join('')
}
