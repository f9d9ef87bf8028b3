import { open, unlink, type FileHandle } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  defaultBatchName, findVoucher, issueVouchers, maxBatchCount, normaliseCode, type Voucher,
} from '../account/index.ts'
import { GatewayError } from '../errors.ts'
import { formatAmount, parseAmount } from '../money.ts'
import { withOperatorDb } from './operator.ts'

interface IssueOptions {
  amount: string
  count: string
  provider: string
  batch?: string
  output?: string
}

function count(raw: string): number {
  const n = /^[1-9]\d{0,6}$/.test(raw) ? Number(raw) : 0
  if (n < 1 || n > maxBatchCount) {
    throw new GatewayError('bad_request',
      `--count must be a whole number from 1 to ${maxBatchCount}`)
  }
  return n
}

// A wrong amount is a wrong option: exit code 2, like any other.
function optionAmount(raw: string, max: bigint): bigint {
  try {
    return parseAmount(raw, max)
  } catch (err) {
    throw new GatewayError('bad_request', `--amount: ${(err as Error).message}`)
  }
}

const csvHeader = 'code,amount,provider,batch,issued_at\n'
const csvLine = (v: Voucher) =>
  `${v.code},${formatAmount(v.amount)},${v.provider},${v.batch ?? ''},${v.issuedAt.toISOString()}\n`

function csv(vouchers: Voucher[]): string {
  return csvHeader + vouchers.map(csvLine).join('')
}

// The output file is created before any code is issued, so a file that cannot
// be written stops the run while nothing has happened yet.
async function newOutputFile(file: string | undefined): Promise<FileHandle | null> {
  if (!file) return null
  try {
    return await open(file, 'wx', 0o600)
  } catch (err) {
    throw new GatewayError('bad_request', `--output: ${(err as Error).message}`)
  }
}

export function registerCodes(program: Command): void {
  program
    .command('codes:issue')
    .description('issue payment codes (vouchers) in bulk: the money moves from the '
      + "provider's clearing account into the vouchers account; prints CSV")
    .requiredOption('--amount <azn>', 'the amount of each code, e.g. 10.00')
    .requiredOption('--count <n>', `how many codes, 1 to ${maxBatchCount}`)
    .requiredOption('--provider <id>', 'the provider (from the providers file) that sells them')
    .option('--batch <name>', 'name of the batch; running the same batch again prints its '
      + 'codes instead of issuing new ones (default: provider, time and a random suffix)')
    .option('--output <file>', 'write the CSV to this new file (mode 600) instead of '
      + 'standard output')
    .addHelpText('after', '\nThe CSV holds live codes: whoever reads one can redeem it. '
      + '\nExit code: 0 issued (or replayed), 2 bad options, 1 anything else.')
    .action(async (opts: IssueOptions) => {
      const n = count(opts.count)
      const out = await newOutputFile(opts.output)
      let batch
      try {
        batch = await withOperatorDb(async (db, providers, config) => {
          if (!providers.providers[opts.provider]) {
            throw new GatewayError('bad_request',
              `provider "${opts.provider}" is not in the providers file`)
          }
          const amount = optionAmount(opts.amount, config.maxAmount)
          return issueVouchers(db, { provider: opts.provider, amount, count: n,
            batch: opts.batch ?? defaultBatchName(opts.provider) })
        })
      } catch (err) {
        await out?.close()
        if (opts.output) await unlink(opts.output)
        throw err
      }
      if (out) {
        await out.writeFile(csv(batch.vouchers))
        await out.close()
      } else {
        process.stdout.write(csv(batch.vouchers))
      }
      const total = batch.vouchers.reduce((sum, v) => sum + v.amount, 0n)
      process.stderr.write(`${batch.replayed ? 'batch was issued before; printed' : 'issued'} `
        + `${batch.vouchers.length} code(s), ${formatAmount(total)} AZN in all, `
        + `batch ${batch.batch}\n`)
    })

  program
    .command('codes:show')
    .description('show a payment code: amount, provider, whether and when it was redeemed')
    .argument('<code>', 'the 15-digit code')
    .action(async (raw: string) => {
      const code = normaliseCode(raw)
      const found = await withOperatorDb(async (db) => {
        const voucher = await findVoucher(db, code)
        const row = voucher && await db('vouchers as v')
          .leftJoin('cabinets as c', 'c.id', 'v.redeemed_by').where({ 'v.code': code })
          .first('c.number', 'v.redeemed_at')
        return voucher && { voucher, cabinet: row?.number as bigint | null,
          redeemedAt: row?.redeemed_at as Date | null }
      })
      if (!found) throw new GatewayError('not_found', `no voucher has code ${code}`)
      const { voucher, cabinet, redeemedAt } = found
      const lines = [['code', voucher.code], ['amount', `${formatAmount(voucher.amount)} AZN`],
        ['provider', voucher.provider], ['batch', voucher.batch ?? '-'],
        ['issued', voucher.issuedAt.toISOString()], ['state', voucher.state],
        ...(cabinet ? [['redeemed by', String(cabinet)],
          ['redeemed at', redeemedAt?.toISOString() ?? '-']] : [])]
      process.stdout.write(lines.map(([k, v]) => `${(k as string).padEnd(12)}${v}\n`).join(''))
    })
}
