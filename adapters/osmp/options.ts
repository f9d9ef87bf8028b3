import ipaddr from 'ipaddr.js'
import { z } from 'zod'
import { parseAmount } from '../../src/money.ts'
import { timeZone } from '../../src/providers.ts'
import { registryOption } from '../../src/reconcile/profile.ts'
import { osmpResults, type OsmpResult } from './codes.ts'

export type IpRange = [ipaddr.IPv4 | ipaddr.IPv6, number]

// One CIDR, or one bare address meaning exactly that address.
const cidr = z.string().trim().transform((value, ctx): IpRange => {
  const withPrefix = value.includes('/') ? value
    : `${value}/${value.includes(':') ? 128 : 32}`
  const [addr] = withPrefix.split('/')
  const fourPart = !addr?.includes(':') && ipaddr.IPv4.isValidFourPartDecimal(addr ?? '')
  if (!ipaddr.isValidCIDR(withPrefix) || !(fourPart || addr?.includes(':'))) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an IP address or CIDR range` })
    return z.NEVER
  }
  return ipaddr.parseCIDR(withPrefix)
})

// A list, or one comma-separated string (so it can come from "env:NAME").
const allowList = z.union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).filter((s) => s.trim() !== ''))
  .pipe(z.array(cidr).min(1, 'allow must list at least one address or CIDR range'))

const amount = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'must be an amount like 1.00')
  .transform((v) => parseAmount(v))

const fatalCodes = Object.entries(osmpResults).filter(([, r]) => r.fatal)
  .map(([code]) => Number(code))

/**
 * One OSMP-family terminal network in the providers file. Adding a network
 * that speaks this protocol is an entry like this, not code.
 */
export const osmpOptions = z.object({
  protocol: z.literal('osmp'),
  enabled: z.boolean().default(true),
  title: z.string().max(80).optional(),
  /** Zone of `txn_date`, which carries none. */
  timeZone,
  /** Source addresses allowed to call, as CIDR ranges; everything else gets 403. */
  allow: allowList,
  /** HTTP Basic credentials the network sends, when it sends any. */
  basicAuth: z.object({
    user: z.string().min(1),
    password: z.string().min(12, 'password must be at least 12 characters'),
  }).strict().optional(),
  minSum: amount.prefault('1.00'),
  maxSum: amount.prefault('5000.00'),
  /** What `account` holds: an ID document number, a cabinet number, or either. */
  account: z.enum(['document', 'cabinet', 'either']).default('either'),
  /** Where `check` shows the masked name: QIWI `<fields>` or MilliÖn `<addinfo>`. */
  replyName: z.enum(['fields', 'addinfo']).default('fields'),
  /**
   * What `pay` buys: a credit to the payer's cabinet, or a payment code (a
   * voucher, redeemed later in any cabinet) that the reply carries for the
   * receipt; `account` is then kept as sent and names nobody.
   */
  sells: z.enum(['credit', 'voucher']).default('credit'),
  /** Keep EmanAt's `servicetype` of a `pay` with the payment. */
  servicetype: z.boolean().default(false),
  /** The fatal result for a known txn_id repeated with another account or sum. */
  mismatchResult: z.number().int().refine((n) => fatalCodes.includes(n),
    `must be one of the fatal results ${fatalCodes.join(', ')}`)
    .transform((n) => n as OsmpResult).default(300),
  /** How this network's daily registry is written, for reconciliation. */
  registry: registryOption.optional(),
}).strict().refine((o) => o.minSum <= o.maxSum, 'minSum must not be above maxSum')

export type OsmpOptions = z.infer<typeof osmpOptions>
