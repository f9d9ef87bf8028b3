import type { ParameterizedContext } from 'koa'
import type { Cabinet } from '../payers/index.ts'
import type { WebDeps } from './deps.ts'
import {
  createSession, destroySession, purgeExpiredSessions, saveSessionData, sessionLimits,
  type Session,
} from './session.ts'

/** What the cabinet's middleware leaves on `ctx.state`. */
export interface WebState {
  web: WebDeps
  session: Session | null
  /** The logged-in holder, set by requireLogin. */
  cabinet?: Cabinet
}

export type WebCtx = ParameterizedContext<WebState>

export const sessionCookie = 'kabinet_sid'

/** The submitted form fields; only string values are kept. */
export function formFields(ctx: WebCtx): Record<string, string> {
  const body = (ctx.request as { body?: unknown }).body
  const out: Record<string, string> = {}
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v
  }
  return out
}

function setCookie(ctx: WebCtx, token: string | null): void {
  ctx.cookies.set(sessionCookie, token ?? '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    overwrite: true,
    ...(token === null ? { expires: new Date(0) } : {}),
  })
}

let lastPurge = 0

/** The visitor's session, started (with a fresh CSRF secret) when there is none. */
export async function ensureSession(ctx: WebCtx): Promise<Session> {
  if (ctx.state.session) return ctx.state.session
  const { db } = ctx.state.web
  // Visitors who never log in leave rows behind; sweep them now and then.
  if (Date.now() - lastPurge > sessionLimits.touchMs * 10) {
    lastPurge = Date.now()
    await purgeExpiredSessions(db)
  }
  const { token, session } = await createSession(db, null)
  setCookie(ctx, token)
  ctx.state.session = session
  return session
}

/** Logs a cabinet in under a new session id; the old session (if any) is gone. */
export async function beginCabinetSession(ctx: WebCtx, cabinetId: bigint): Promise<Session> {
  const { db } = ctx.state.web
  if (ctx.state.session) await destroySession(db, ctx.state.session.idHash)
  const { token, session } = await createSession(db, cabinetId)
  setCookie(ctx, token)
  ctx.state.session = session
  return session
}

export async function endSession(ctx: WebCtx): Promise<void> {
  if (ctx.state.session) await destroySession(ctx.state.web.db, ctx.state.session.idHash)
  ctx.state.session = null
  setCookie(ctx, null)
}

/** Changes the session's remembered data and writes it back. */
export async function updateSession(
  ctx: WebCtx,
  change: (data: Session['data']) => void,
): Promise<void> {
  const session = await ensureSession(ctx)
  change(session.data)
  await saveSessionData(ctx.state.web.db, session)
}

export async function setFlash(ctx: WebCtx, text: string): Promise<void> {
  await updateSession(ctx, (d) => {
    d.flash = text
  })
}

/** The pending notice, removed so it shows once. */
export async function takeFlash(ctx: WebCtx): Promise<string | undefined> {
  const flash = ctx.state.session?.data.flash
  if (flash !== undefined) await updateSession(ctx, (d) => delete d.flash)
  return flash
}

/** A redirect after a POST, so reloading the next page does not submit again. */
export function seeOther(ctx: WebCtx, location: string): void {
  ctx.status = 303
  ctx.redirect(location)
}
