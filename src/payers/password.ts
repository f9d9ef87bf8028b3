import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { GatewayError } from '../errors.ts'

const cost = { ln: 15, r: 8, p: 1 }
const keyLength = 32
const saltLength = 16
const maxLength = 1024

function derive(password: string, salt: Buffer, ln: number, r: number, p: number)
  : Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 2 ** 20 }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => {
      if (err) reject(err)
      else resolve(key)
    })
  })
}

/**
 * Refuses a password shorter than 8 characters or without both a letter and
 * a digit, with 'bad_request' details.reason 'weak_password'.
 */
export function checkPasswordStrength(password: string): void {
  const ok = password.length >= 8 && password.length <= maxLength
    && /\p{L}/u.test(password) && /\p{Nd}/u.test(password)
  if (!ok) {
    const message = password.length > maxLength
      ? `password must be at most ${maxLength} characters`
      : 'password must be at least 8 characters and contain a letter and a digit'
    throw new GatewayError('bad_request', message, { reason: 'weak_password' })
  }
}

/**
 * Hashes with scrypt (N=2^15, r=8, p=1, a random 16-byte salt) into a PHC-style
 * string that carries its parameters: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltLength)
  const key = await derive(password, salt, cost.ln, cost.r, cost.p)
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}`
    + `$${salt.toString('base64url')}$${key.toString('base64url')}`
}

const encoded = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d)\$([\w-]{16,88})\$([\w-]{43})$/

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = encoded.exec(hash)
  const [ln, r, p] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])]
  // Bounds keep a tampered hash from asking for gigabytes of memory.
  if (!m || ln < 10 || ln > 20 || r < 1 || r > 16 || p < 1 || p > 4) {
    throw new GatewayError('internal', 'stored password hash is not in a recognised format')
  }
  if (password.length > maxLength) return false
  const expected = Buffer.from(m[5]!, 'base64url')
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), ln, r, p)
  return key.length === expected.length && timingSafeEqual(key, expected)
}
