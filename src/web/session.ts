import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../db.ts'

/** What a session remembers between requests besides who is logged in. */
export interface SessionData {
  /** Registration step 1 passed: the document and FIN the person proved. */
  registration?: { document: string; fin: string }
  /** Registration finished: the new cabinet number, shown until the session ends. */
  registered?: string
  /** Password reset: the cabinet the code was sent for (absent when none was). */
  reset?: { cabinetId: string | null; codeId: string | null }
  /** A new mobile number waiting for its SMS code. */
  pendingMobile?: { phone: string; codeId: string }
  /** A one-time notice shown on the next page. */
  flash?: string
}

export interface Session {
  idHash: string
  cabinetId: bigint | null
  csrfSecret: string
  data: SessionData
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
}

export const sessionLimits = {
  /** Logged out after this long without a request. */
  idleMs: 30 * 60_000,
  /** Logged out this long after logging in, however active. */
  absoluteMs: 12 * 3600_000,
  /** A visitor's session (forms before login) lives this long. */
  anonymousMs: 2 * 3600_000,
  /** last_seen_at is written at most this often. */
  touchMs: 60_000,
}

export function hashSessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function fromRow(r: Record<string, unknown>): Session {
  return {
    idHash: r.id_hash as string,
    cabinetId: (r.cabinet_id as bigint | null) ?? null,
    csrfSecret: r.csrf_secret as string,
    data: (r.data ?? {}) as SessionData,
    createdAt: r.created_at as Date,
    lastSeenAt: r.last_seen_at as Date,
    expiresAt: r.expires_at as Date,
  }
}

/** Starts a session; the returned token goes into the cookie and nowhere else. */
export async function createSession(
  db: Db,
  cabinetId: bigint | null,
  data: SessionData = {},
  now = new Date(),
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url')
  const life = cabinetId === null ? sessionLimits.anonymousMs : sessionLimits.absoluteMs
  const [row] = await db('web_sessions').insert({
    id_hash: hashSessionId(token),
    cabinet_id: cabinetId,
    csrf_secret: randomBytes(32).toString('base64url'),
    data: JSON.stringify(data),
    created_at: now,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + life),
  }).returning('*')
  return { token, session: fromRow(row) }
}

/** The live session for a cookie token, or null; an expired one is deleted. */
export async function loadSession(
  db: Db,
  token: string,
  now = new Date(),
): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null
  const row = await db('web_sessions').where({ id_hash: hashSessionId(token) }).first()
  if (!row) return null
  const s = fromRow(row)
  const idleUntil = s.lastSeenAt.getTime() + sessionLimits.idleMs
  if (now >= s.expiresAt || now.getTime() >= idleUntil) {
    await db('web_sessions').where({ id_hash: s.idHash }).delete()
    return null
  }
  if (now.getTime() - s.lastSeenAt.getTime() >= sessionLimits.touchMs) {
    await db('web_sessions').where({ id_hash: s.idHash }).update({ last_seen_at: now })
    s.lastSeenAt = now
  }
  return s
}

export async function saveSessionData(db: Db, session: Session): Promise<void> {
  await db('web_sessions').where({ id_hash: session.idHash })
    .update({ data: JSON.stringify(session.data) })
}

export async function destroySession(db: Db, idHash: string): Promise<void> {
  await db('web_sessions').where({ id_hash: idHash }).delete()
}

/** Ends every session of a cabinet but one (after a password change or reset). */
export async function destroyCabinetSessions(
  db: Db,
  cabinetId: bigint,
  exceptIdHash?: string,
): Promise<number> {
  const q = db('web_sessions').where({ cabinet_id: cabinetId })
  if (exceptIdHash) q.whereNot({ id_hash: exceptIdHash })
  return q.delete()
}

/** Deletes sessions past their absolute or idle expiry. */
export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const idleCutoff = new Date(now.getTime() - sessionLimits.idleMs)
  return db('web_sessions')
    .where('expires_at', '<=', now).orWhere('last_seen_at', '<=', idleCutoff).delete()
}
