import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto'

/** Azericard form fields by name; absent and empty are the same to the MAC. */
export type Fields = Record<string, string | undefined | null>

export type MacMessage = 'auth' | 'adjust' | 'status' | 'callback'

/** MAC field orders of the RSA scheme (spec §2.2, §8.3); ORDER is not in the callback MAC. */
export const rsaMacFields: Record<MacMessage, readonly string[]> = {
  auth: ['AMOUNT', 'CURRENCY', 'TERMINAL', 'TRTYPE', 'TIMESTAMP', 'NONCE', 'MERCH_URL'],
  adjust: ['AMOUNT', 'CURRENCY', 'TERMINAL', 'TRTYPE', 'ORDER', 'RRN', 'INT_REF'],
  status: ['ORDER', 'TERMINAL', 'TRTYPE', 'TIMESTAMP', 'NONCE'],
  callback: ['AMOUNT', 'TERMINAL', 'APPROVAL', 'RRN', 'INT_REF'],
}

/**
 * Field orders of legacy HMAC terminals. The status order is not documented
 * for them; the RSA order is the assumption.
 */
export const legacyMacFields: Record<MacMessage, readonly string[]> = {
  auth: ['AMOUNT', 'CURRENCY', 'ORDER', 'DESC', 'MERCH_NAME', 'MERCH_URL', 'MERCHANT',
    'TERMINAL', 'EMAIL', 'TRTYPE', 'COUNTRY', 'MERCH_GMT', 'TIMESTAMP', 'NONCE', 'BACKREF'],
  adjust: ['ORDER', 'AMOUNT', 'CURRENCY', 'RRN', 'INT_REF', 'TRTYPE', 'TERMINAL', 'TIMESTAMP',
    'NONCE'],
  status: rsaMacFields.status,
  callback: ['TERMINAL', 'TRTYPE', 'ORDER', 'AMOUNT', 'CURRENCY', 'ACTION', 'RC', 'APPROVAL',
    'RRN', 'INT_REF', 'TIMESTAMP', 'NONCE'],
}

/**
 * The MAC source: each field's length in UTF-8 bytes, then its value; an absent
 * or empty field is a lone `-` with no length (spec §2.2 rules 1–3).
 */
export function macSource(fields: Fields, order: readonly string[]): string {
  return order.map((name) => {
    const value = fields[name]
    if (value === undefined || value === null || value === '') return '-'
    return `${Buffer.byteLength(value, 'utf8')}${value}`
  }).join('')
}

const hexPattern = /^(?:[0-9a-fA-F]{2})+$/

/** Signs and checks P_SIGN for one terminal. */
export interface MacScheme {
  readonly kind: 'rsa' | 'hmac'
  readonly fields: Record<MacMessage, readonly string[]>
  sign(source: string): string
  verify(source: string, pSign: string): boolean
}

export function rsaSign(privateKey: KeyObject, source: string): string {
  return sign('sha256', Buffer.from(source, 'utf8'), privateKey).toString('hex').toUpperCase()
}

/** RSA-SHA256 PKCS#1 v1.5; hex case does not matter; anything malformed is false. */
export function rsaVerify(publicKey: KeyObject, source: string, pSign: string): boolean {
  if (typeof pSign !== 'string' || !hexPattern.test(pSign)) return false
  const signature = Buffer.from(pSign, 'hex')
  const size = publicKey.asymmetricKeyDetails?.modulusLength
  if (size !== undefined && signature.length * 8 !== size) return false
  try {
    return verify('sha256', Buffer.from(source, 'utf8'), publicKey, signature)
  } catch {
    return false
  }
}

/** Legacy key: hex, even length; Ruby's hex2bin silently cut odd keys, we refuse them. */
export function legacyKey(hex: string): Buffer {
  if (!hexPattern.test(hex)) {
    throw new Error('the legacy Azericard key must be hex with an even number of digits')
  }
  return Buffer.from(hex, 'hex')
}

export function hmacSign(key: Buffer, source: string): string {
  return createHmac('sha1', key).update(source, 'utf8').digest('hex')
}

export function hmacVerify(key: Buffer, source: string, pSign: string): boolean {
  if (typeof pSign !== 'string' || !hexPattern.test(pSign)) return false
  const expected = Buffer.from(hmacSign(key, source), 'hex')
  const given = Buffer.from(pSign, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Current terminals: we sign with our key and verify with the gateway's "MPI public key". */
export function rsaScheme(merchantKey: KeyObject, gatewayKey: KeyObject): MacScheme {
  return {
    kind: 'rsa',
    fields: rsaMacFields,
    sign: (source) => rsaSign(merchantKey, source),
    verify: (source, pSign) => rsaVerify(gatewayKey, source, pSign),
  }
}

export function hmacScheme(key: Buffer): MacScheme {
  return {
    kind: 'hmac',
    fields: legacyMacFields,
    sign: (source) => hmacSign(key, source),
    verify: (source, pSign) => hmacVerify(key, source, pSign),
  }
}
