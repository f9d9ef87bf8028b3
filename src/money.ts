import { GatewayError } from './errors.ts'

/** Integer minor units: 1 AZN = 100 qəpik. */
export type Qepik = bigint

export const AZN = { alpha: 'AZN', numeric: '944' } as const

const amountPattern = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/

/**
 * Parses an edge amount such as "10.45" into qəpik. Strict: no commas, spaces,
 * exponents, signs or a third decimal. Zero is refused; so is anything over max.
 */
export function parseAmount(raw: string | undefined | null, max?: Qepik): Qepik {
  if (raw === undefined || raw === null || raw === '') {
    throw new GatewayError('amount_format', 'amount is missing')
  }
  if (!amountPattern.test(raw)) {
    // All digits but too many of them is a size problem, not a format one.
    if (/^[1-9]\d{9,}(\.\d{1,2})?$/.test(raw)) {
      throw new GatewayError('amount_too_large', 'amount is above the maximum')
    }
    throw new GatewayError('amount_format', `amount "${truncate(raw)}" is not a decimal like 10.45`)
  }
  const [whole = '0', frac = ''] = raw.split('.')
  const value = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'))
  if (value <= 0n) throw new GatewayError('amount_too_small', 'amount must be above zero')
  if (max !== undefined && value > max) {
    throw new GatewayError('amount_too_large', `amount is above the maximum ${formatAmount(max)}`)
  }
  return value
}

/** Formats qəpik as a two-decimal string: 1045n → "10.45". */
export function formatAmount(q: Qepik): string {
  const neg = q < 0n
  const abs = neg ? -q : q
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
  return neg ? `-${s}` : s
}

/** Accepts AZN by its letters or its ISO 4217 number; anything else is refused. */
export function checkCurrency(raw: string | undefined | null): void {
  if (raw === undefined || raw === null || raw === '') return
  const c = raw.trim().toUpperCase()
  if (c !== AZN.alpha && c !== AZN.numeric) {
    throw new GatewayError('currency', `currency "${truncate(raw)}" is not AZN`)
  }
}

// Echoed input, shortened and with anything unprintable shown as '?'.
function truncate(s: string): string {
  const shown = s.replace(/[^\p{L}\p{N}\p{P}\p{S} ]/gu, '?')
  return shown.length > 20 ? `${shown.slice(0, 20)}…` : shown
}
