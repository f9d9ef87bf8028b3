import type Router from '@koa/router'
import { isGatewayError } from '../../errors.ts'
import {
  hashPassword, normaliseRef, resolvePayer, verifyPassword, type ResolvedPayer,
} from '../../payers/index.ts'
import { storedPasswordHash } from '../cabinet-data.ts'
import { pick, type Errors } from '../forms.ts'
import { messages } from '../messages.ts'
import { safeNext } from '../middleware.ts'
import { renderPage } from '../render.ts'
import {
  beginCabinetSession, endSession, formFields, seeOther, setFlash, type WebCtx, type WebState,
} from '../state.ts'

const title = 'Giriş'

// Checked when the reference finds no cabinet, so an unknown number takes as
// long to refuse as a wrong password.
let decoyHash: Promise<string> | undefined
const decoy = () => (decoyHash ??= hashPassword('decoy password 0'))

function loginPage(ctx: WebCtx, ref: string, errors: Errors, status = 200) {
  const next = typeof ctx.query.next === 'string' ? safeNext(ctx.query.next) : ''
  return renderPage(ctx, 'login', { form: { ref }, errors, next },
    { title, status, form: true })
}

async function lockedPage(ctx: WebCtx, ref: string, seconds: number): Promise<void> {
  ctx.set('Retry-After', String(seconds))
  await loginPage(ctx, ref, { form: messages.locked(Math.ceil(seconds / 60)) }, 429)
}

/** Login by cabinet number or document number, and logout. */
export function authRoutes(router: Router<WebState>): void {
  router.get('/giris', async (ctx) => {
    if (ctx.state.session?.cabinetId) return seeOther(ctx, '/kabinet')
    await loginPage(ctx, '', {})
  })

  router.post('/giris', async (ctx) => {
    const { db, logins, log } = ctx.state.web
    const form = pick(formFields(ctx), ['ref', 'password'])
    const address = ctx.ip
    if (form.ref.trim() === '' || form.password === '') {
      const errors: Errors = {}
      if (form.ref.trim() === '') errors.ref = messages.required
      if (form.password === '') errors.password = messages.required
      return loginPage(ctx, form.ref, errors, 422)
    }
    let payer: ResolvedPayer | null = null
    try {
      payer = await resolvePayer(db, form.ref, 'either', { allowBlocked: true })
    } catch (err) {
      if (isGatewayError(err, 'account_format')) {
        return loginPage(ctx, form.ref, { ref: messages.loginFormat }, 422)
      }
      if (!isGatewayError(err, 'payer_not_found')) throw err
    }
    // The point is spent before the password is checked, so parallel guesses
    // cannot all slip past the limit while the first ones are being checked.
    const keys = { address, account: payer ? `cabinet:${payer.cabinetId}` : normaliseRef(form.ref) }
    const attempt = await logins.attempt(keys)
    if (!attempt.ok) return lockedPage(ctx, form.ref, attempt.wait)

    const hash = payer ? await storedPasswordHash(db, payer.cabinetId) : null
    const ok = await verifyPassword(form.password, hash ?? await decoy()) && hash !== null
    if (!payer || !ok) {
      const after = await attempt.failed()
      log.info({ cabinet: payer ? String(payer.number) : null }, 'login refused')
      if (after > 0) return lockedPage(ctx, form.ref, after)
      return loginPage(ctx, form.ref, { form: messages.loginFailed }, 401)
    }
    // Only this attempt's own point comes back: earlier failures, and guesses
    // still in flight, keep theirs.
    await attempt.release()
    if (payer.blocked) {
      return loginPage(ctx, form.ref, { form: messages.loginBlocked }, 403)
    }
    await beginCabinetSession(ctx, payer.cabinetId)
    log.info({ cabinet: String(payer.number) }, 'logged in')
    const next = typeof ctx.query.next === 'string' ? ctx.query.next : undefined
    seeOther(ctx, safeNext(next))
  })

  router.post('/cixis', async (ctx) => {
    await endSession(ctx)
    await setFlash(ctx, messages.loggedOut)
    seeOther(ctx, '/giris')
  })
}
