import { createHash, timingSafeEqual } from 'node:crypto'
import ipaddr from 'ipaddr.js'
import type { IpRange } from './options.ts'

/**
 * True when the address is inside one of the ranges. IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`, as a dual-stack socket reports IPv4 peers) counts as
 * IPv4. Matching is by prefix bits, never by string prefix.
 */
export function ipAllowed(ip: string, ranges: readonly IpRange[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6
  try {
    addr = ipaddr.process(ip)
  } catch {
    return false
  }
  return ranges.some(([range, bits]) => range.kind() === addr.kind()
    && addr.match(range, bits))
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}

/**
 * Checks an `Authorization: Basic` header in constant time. Digests make the
 * compared buffers equal in length, so a wrong length is a plain mismatch.
 */
export function basicAuthOk(header: string | undefined,
  expected: { user: string; password: string }): boolean {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '')
  const decoded = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  const user = colon >= 0 ? decoded.slice(0, colon) : ''
  const password = colon >= 0 ? decoded.slice(colon + 1) : ''
  const userOk = timingSafeEqual(digest(user), digest(expected.user))
  const passwordOk = timingSafeEqual(digest(password), digest(expected.password))
  return m !== null && colon >= 0 && userOk && passwordOk
}
