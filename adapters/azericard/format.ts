import { randomBytes } from 'node:crypto'
import { GatewayError } from '../../src/errors.ts'
import { AZN, formatAmount } from '../../src/money.ts'

/** Azericard wants one fixed two-decimal amount: the MAC covers the characters (§2.5). */
export function azericardAmount(q: bigint): string {
  if (q <= 0n) throw new GatewayError('amount_format', 'a card amount must be above zero')
  return formatAmount(q)
}

const decimal = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/

/**
 * Reads an amount a processor reported: a decimal string or a JSON number with
 * at most two decimals, compared later at qəpik precision. Anything else is null.
 */
export function parseReportedAmount(raw: unknown): bigint | null {
  let s: string
  if (typeof raw === 'string') s = raw.trim()
  // A JSON number prints back as its shortest decimal, so "10.5" and 10.50 agree.
  else if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) s = String(raw)
  else return null
  if (!decimal.test(s)) return null
  const [whole = '0', frac = ''] = s.split('.')
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'))
}

/** `AZN` and `944` are the same currency; a plain string compare refused every payment. */
export function isAzn(raw: unknown): boolean {
  if (typeof raw !== 'string' && typeof raw !== 'number') return false
  const c = String(raw).trim().toUpperCase()
  return c === AZN.alpha || c === AZN.numeric
}

/** GMT `YYYYMMDDHHMMSS`; Azericard refuses more than an hour of skew (§2.1). */
export function utcTimestamp(at: Date = new Date()): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/** 16 random bytes as upper-case hex (the spec asks for 8 to 32 bytes). */
export function nonce(): string {
  return randomBytes(16).toString('hex').toUpperCase()
}
