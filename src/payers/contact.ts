import { GatewayError } from '../errors.ts'

// Azerbaijani mobile operators' codes after +994.
const mobileCodes = new Set(['10', '50', '51', '55', '60', '70', '77', '99'])

/**
 * Normalises an Azerbaijani mobile number to `+994` and nine digits; accepts
 * `+994 50 123 45 67`, `994501234567` and `050 123 45 67`. Throws 'bad_request'.
 */
export function parseMobile(input: string): string {
  const digits = input.trim().replace(/^\+/, '').replace(/[\s().-]/g, '')
  const local = /^994\d{9}$/.test(digits) ? digits.slice(3)
    : /^0\d{9}$/.test(digits) ? digits.slice(1) : null
  if (local === null || !mobileCodes.has(local.slice(0, 2))) {
    throw new GatewayError('bad_request',
      'mobile must be an Azerbaijani mobile number such as +994 50 123 45 67',
      { reason: 'bad_mobile' })
  }
  return `+994${local}`
}

/** A plain e-mail address, with its domain lower-cased. Throws 'bad_request'. */
export function parseEmail(input: string): string {
  const email = input.trim()
  const m = /^([^\s@"<>]{1,64})@([a-zA-Z0-9-]{1,63}(?:\.[a-zA-Z0-9-]{1,63})+)$/.exec(email)
  if (!m || email.length > 254) {
    throw new GatewayError('bad_request', 'email must be an address such as name@example.az',
      { reason: 'bad_email' })
  }
  return `${m[1]}@${m[2]!.toLowerCase()}`
}
