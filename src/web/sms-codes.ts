import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { Db } from '../db.ts'
import type { SmsSender } from './sms/index.ts'

export type CodePurpose = 'confirm_mobile' | 'reset_password'

export const codeRules = {
  digits: 6,
  lifetimeMs: 5 * 60_000,
  maxAttempts: 5,
  /** No new code for the same cabinet and purpose sooner than this. */
  resendAfterMs: 60_000,
  /** At most this many codes per cabinet and purpose in an hour. */
  perHour: 5,
}

const texts: Record<CodePurpose, (code: string) => string> = {
  confirm_mobile: (code) => `Mobil nömrənin təsdiq kodu: ${code}. Kod 5 dəqiqə etibarlıdır.`,
  reset_password: (code) => `Şifrənin bərpası üçün kod: ${code}. Kodu heç kimə deməyin.`,
}

export type IssueResult =
  | { ok: true; codeId: string }
  | { ok: false; reason: 'throttled'; retryAfterSec: number }

function digest(salt: string, code: string): string {
  return createHmac('sha256', salt).update(code).digest('base64url')
}

/**
 * Sends a fresh 6-digit code (from the CSPRNG) and stores only its salted
 * HMAC. Refuses when the last code went out less than a minute ago or too
 * many went out this hour. Throws what the SMS sender throws.
 */
export async function issueCode(
  db: Db,
  sms: SmsSender,
  req: { cabinetId: bigint; purpose: CodePurpose; phone: string },
  now = new Date(),
): Promise<IssueResult> {
  const hourAgo = new Date(now.getTime() - 3600_000)
  const recent = await db('sms_codes')
    .where({ cabinet_id: req.cabinetId, purpose: req.purpose })
    .andWhere('created_at', '>', hourAgo)
    .orderBy('created_at', 'desc').select('created_at')
  const last = recent[0]?.created_at as Date | undefined
  if (last && now.getTime() - last.getTime() < codeRules.resendAfterMs) {
    const wait = codeRules.resendAfterMs - (now.getTime() - last.getTime())
    return { ok: false, reason: 'throttled', retryAfterSec: Math.ceil(wait / 1000) }
  }
  if (recent.length >= codeRules.perHour) {
    const oldest = recent[recent.length - 1]!.created_at as Date
    const wait = oldest.getTime() + 3600_000 - now.getTime()
    return { ok: false, reason: 'throttled', retryAfterSec: Math.max(1, Math.ceil(wait / 1000)) }
  }

  const code = String(randomInt(0, 10 ** codeRules.digits)).padStart(codeRules.digits, '0')
  const salt = randomBytes(16).toString('base64url')
  const [row] = await db('sms_codes').insert({
    cabinet_id: req.cabinetId,
    purpose: req.purpose,
    phone: req.phone,
    code_hash: digest(salt, code),
    salt,
    created_at: now,
    expires_at: new Date(now.getTime() + codeRules.lifetimeMs),
  }).returning('id')
  try {
    await sms.send({ to: req.phone, text: texts[req.purpose](code) })
  } catch (err) {
    // A code that never reached the phone must not hold back the next try.
    await db('sms_codes').where({ id: row.id }).delete()
    throw err
  }
  return { ok: true, codeId: String(row.id) }
}

/**
 * The newest code of this purpose sent to this phone that can still be used
 * (not expired, not used, tries left), if any.
 */
export async function latestUsableCode(
  db: Db,
  req: { cabinetId: bigint; purpose: CodePurpose; phone: string },
  now = new Date(),
): Promise<string | null> {
  const row = await db('sms_codes')
    .where({ cabinet_id: req.cabinetId, purpose: req.purpose, phone: req.phone })
    .whereNull('used_at').andWhere('expires_at', '>', now)
    .andWhere('attempts', '<', codeRules.maxAttempts)
    .orderBy('created_at', 'desc').first('id')
  return row ? String(row.id) : null
}

export type CheckResult =
  | { ok: true; phone: string }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'expired' | 'exhausted' | 'unknown' }

/**
 * Checks a typed code against one issued code. Every check counts as an
 * attempt, under a row lock, so parallel guesses cannot exceed the limit.
 * A correct code is used up.
 */
export async function checkCode(
  db: Db,
  req: { codeId: string; cabinetId: bigint; purpose: CodePurpose; code: string },
  now = new Date(),
): Promise<CheckResult> {
  if (!/^\d{1,18}$/.test(req.codeId)) return { ok: false, reason: 'unknown' }
  return db.transaction(async (trx) => {
    const row = await trx('sms_codes')
      .where({ id: req.codeId, cabinet_id: req.cabinetId, purpose: req.purpose })
      .forUpdate().first()
    if (!row || row.used_at) return { ok: false, reason: 'unknown' } as const
    if (now >= (row.expires_at as Date)) return { ok: false, reason: 'expired' } as const
    if (row.attempts >= codeRules.maxAttempts) return { ok: false, reason: 'exhausted' } as const

    const attempts = (row.attempts as number) + 1
    const typed = req.code.replace(/\s/g, '')
    const expected = Buffer.from(row.code_hash as string)
    const given = Buffer.from(digest(row.salt as string, typed))
    const match = /^\d{6}$/.test(typed) && given.length === expected.length
      && timingSafeEqual(given, expected)
    await trx('sms_codes').where({ id: row.id })
      .update({ attempts, used_at: match ? now : null })
    if (match) return { ok: true, phone: row.phone as string } as const
    const attemptsLeft = codeRules.maxAttempts - attempts
    return attemptsLeft > 0
      ? { ok: false, reason: 'wrong', attemptsLeft } as const
      : { ok: false, reason: 'exhausted' } as const
  })
}
