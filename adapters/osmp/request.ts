import { localTimeToUtc } from '../../src/localtime.ts'
import { GatewayError } from '../../src/errors.ts'
import { checkCurrency, parseAmount, type Qepik } from '../../src/money.ts'
import type { OsmpOptions } from './options.ts'

export type OsmpParams = Partial<Record<string, string>>

const known = ['command', 'txn_id', 'account', 'sum', 'txn_date', 'ccy', 'servicetype',
  'prv_id']

function bad(message: string): GatewayError {
  return new GatewayError('bad_request', message)
}

/**
 * The request's parameters from the query and, for POST, the url-encoded body.
 * A parameter given twice with different values is refused, not guessed.
 */
export function collectParams(query: unknown, body: unknown): OsmpParams {
  const out: OsmpParams = {}
  for (const source of [query, body]) {
    if (!source || typeof source !== 'object') continue
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (!known.includes(key)) continue
      if (typeof value !== 'string') throw bad(`parameter ${key} is repeated or malformed`)
      if (out[key] !== undefined && out[key] !== value) {
        throw bad(`parameter ${key} has two different values`)
      }
      out[key] = value
    }
  }
  return out
}

// QIWI ids are integers; other networks use short tokens. Either way no spaces.
const txnIdPattern = /^[A-Za-z0-9._-]{1,64}$/

export function txnIdOf(p: OsmpParams): string | undefined {
  const id = p.txn_id
  return id !== undefined && txnIdPattern.test(id) ? id : undefined
}

export function requireTxnId(p: OsmpParams): string {
  if (p.txn_id === undefined || p.txn_id === '') throw bad('txn_id is missing')
  const id = txnIdOf(p)
  if (!id) throw bad('txn_id must be 1 to 64 letters, digits, dots, dashes or underscores')
  return id
}

export function requireAccount(p: OsmpParams): string {
  const account = p.account
  if (account === undefined || account.trim() === '') throw bad('account is missing')
  if (account.length > 200) {
    throw new GatewayError('account_format', 'account is longer than 200 characters')
  }
  return account
}

/** The sum in qəpik, within the network's limits and the gateway's maximum. */
export function requireSum(p: OsmpParams, options: OsmpOptions, gatewayMax: Qepik): Qepik {
  if (p.sum === undefined || p.sum === '') throw bad('sum is missing')
  checkCurrency(p.ccy)
  const amount = parseAmount(p.sum)
  if (amount < options.minSum) {
    throw new GatewayError('amount_too_small', 'sum is below the minimum')
  }
  if (amount > options.maxSum || amount > gatewayMax) {
    throw new GatewayError('amount_too_large', 'sum is above the maximum')
  }
  return amount
}

export interface ProviderTime {
  raw: string
  utc: Date
}

/**
 * `txn_date` is `YYYYMMDDHHMMSS` without a zone; it is read in the network's
 * zone. A date that does not exist there (13th month, 30 February, a skipped
 * hour) is refused rather than shifted.
 */
export function parseTxnDate(raw: string | undefined, zone: string): ProviderTime {
  if (raw === undefined || raw === '') throw bad('txn_date is missing')
  if (!/^\d{14}$/.test(raw)) throw bad('txn_date must be YYYYMMDDHHMMSS')
  const utc = localTimeToUtc(raw, zone)
  if (!utc) throw bad('txn_date is not a valid date and time')
  // A terminal's clock may drift, but not by decades: such a date would fall
  // into no registry day and never reconcile.
  if (raw < '2000' || utc.getTime() > Date.now() + 2 * 86_400_000) {
    throw bad('txn_date is out of range (from the year 2000 to two days ahead)')
  }
  return { raw, utc }
}

/** EmanAt's service type, kept with the payment when the network is configured for it. */
export function serviceTypeOf(p: OsmpParams, options: OsmpOptions): string | undefined {
  if (!options.servicetype || p.servicetype === undefined || p.servicetype === '') {
    return undefined
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(p.servicetype)) throw bad('servicetype is malformed')
  return p.servicetype
}
