import { randomInt } from 'node:crypto'

/**
 * Payment codes: 15 digits, the last a Luhn check digit. The 14 digits before
 * it come from the CSPRNG, so a code cannot be guessed from its neighbours.
 */
export const paymentCodeLength = 15

/** The Luhn digit that makes `body` followed by it a valid Luhn number. */
export function luhnCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new RangeError('a Luhn body is digits only')
  let sum = 0
  // Doubling starts at the rightmost body digit, the one next to the check digit.
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

/** A fresh random payment code; the first digit is never 0, so it survives as a number. */
export function newPaymentCode(): string {
  let body = String(randomInt(1, 10))
  for (let i = 1; i < paymentCodeLength - 1; i++) body += String(randomInt(0, 10))
  return body + String(luhnCheckDigit(body))
}

/** True when the string is 15 digits with a correct check digit. */
export function isPaymentCode(code: string): boolean {
  if (!/^[1-9]\d{14}$/.test(code)) return false
  return luhnCheckDigit(code.slice(0, -1)) === Number(code.slice(-1))
}
