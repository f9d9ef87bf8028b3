import { createHash, timingSafeEqual } from 'node:crypto'
import type { ChargeClient } from '../account/index.ts'
import { GatewayError } from '../errors.ts'
import type { ProvidersFile } from '../providers.ts'

interface KnownClient extends ChargeClient {
  digest: Buffer
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest()

/**
 * Finds the service client a bearer token belongs to. Every configured token
 * is compared, in constant time over equal-length digests, so the answer's
 * timing says nothing about how much of a token was right.
 */
export function bearerAuth(clients: ProvidersFile['clients']) {
  const known: KnownClient[] = Object.entries(clients).map(([id, c]) => ({
    id, revenue: c.revenueAccount ?? id, digest: digest(c.token),
  }))
  return (authorization: string | undefined): ChargeClient => {
    const m = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(authorization ?? '')
    if (!m) {
      throw new GatewayError('unauthorized', 'an Authorization: Bearer token is required')
    }
    const presented = digest(m[1] as string)
    let found: KnownClient | undefined
    for (const c of known) {
      if (timingSafeEqual(c.digest, presented) && !found) found = c
    }
    if (!found) throw new GatewayError('unauthorized', 'the bearer token is not known')
    return { id: found.id, revenue: found.revenue }
  }
}
