import { createHash, timingSafeEqual } from 'node:crypto'
import { formatAmount } from '../../src/money.ts'

/** Epoint's signature: base64 of the raw SHA-1 digest of key + data + key (not hex). */
export function epointSignature(privateKey: string, data: string): string {
  return createHash('sha1').update(privateKey + data + privateKey, 'utf8').digest('base64')
}

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/

/** Constant-time check over the raw base64 `data` exactly as received. */
export function verifyEpointSignature(
  privateKey: string, data: string, signature: string,
): boolean {
  if (typeof data !== 'string' || typeof signature !== 'string') return false
  if (!base64Pattern.test(signature)) return false
  const expected = Buffer.from(epointSignature(privateKey, data), 'base64')
  const given = Buffer.from(signature, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * The JSON payload, base64-encoded. The amount is written as a JSON number
 * straight from its two-decimal text, so no float ever holds money.
 */
export function encodePayload(fields: Record<string, string>, amount?: bigint): string {
  let json = JSON.stringify(fields)
  if (amount !== undefined) {
    json = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"amount":${formatAmount(amount)}}`
  }
  return Buffer.from(json, 'utf8').toString('base64')
}

/** Decodes a base64 JSON object; null when it is not one. */
export function decodePayload(data: string): Record<string, unknown> | null {
  if (!base64Pattern.test(data)) return null
  try {
    const parsed: unknown = JSON.parse(Buffer.from(data, 'base64').toString('utf8'))
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? parsed as Record<string, unknown> : null
  } catch {
    return null
  }
}

/** A signed form body ready to post. */
export function signedForm(privateKey: string, data: string): Record<string, string> {
  return { data, signature: epointSignature(privateKey, data) }
}
