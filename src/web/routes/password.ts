import type Router from '@koa/router'
import { isGatewayError } from '../../errors.ts'
import {
  hashPassword, normaliseRef, parseMobile, resolvePayer, verifyPassword, type ResolvedPayer,
} from '../../payers/index.ts'
import {
  readContacts, setPasswordHash, storedPasswordHash,
} from '../cabinet-data.ts'
import { pick, readNewPassword, type Errors } from '../forms.ts'
import { messages } from '../messages.ts'
import { requireLogin } from '../middleware.ts'
import { renderPage } from '../render.ts'
import { destroyCabinetSessions } from '../session.ts'
import { checkCode, issueCode, latestUsableCode } from '../sms-codes.ts'
import {
  beginCabinetSession, formFields, seeOther, setFlash, updateSession, type WebCtx,
  type WebState,
} from '../state.ts'

const changeTitle = 'Şifrəni dəyiş'
const resetTitle = 'Şifrənin bərpası'

function changePage(ctx: WebCtx, errors: Errors, status = 200) {
  return renderPage(ctx, 'password', { errors }, { title: changeTitle, status, form: true })
}

function resetStartPage(ctx: WebCtx, form: Record<string, string>, errors: Errors, status = 200) {
  return renderPage(ctx, 'reset-start', { form, errors },
    { title: resetTitle, status, form: true })
}

function resetCodePage(ctx: WebCtx, errors: Errors, status = 200) {
  return renderPage(ctx, 'reset-code', { errors }, { title: resetTitle, status, form: true })
}

function lockedWait(ctx: WebCtx, seconds: number): Errors {
  ctx.set('Retry-After', String(seconds))
  return { form: messages.locked(Math.ceil(seconds / 60)) }
}

/** Who a reset request is for: a cabinet whose confirmed mobile is the one typed. */
async function resetTarget(ctx: WebCtx, ref: string, mobile: string)
  : Promise<ResolvedPayer | null> {
  let payer: ResolvedPayer
  try {
    payer = await resolvePayer(ctx.state.web.db, ref, 'either')
  } catch (err) {
    if (isGatewayError(err, 'payer_not_found') || isGatewayError(err, 'cabinet_blocked')) {
      return null
    }
    throw err
  }
  const contacts = await readContacts(ctx.state.web.db, payer.cabinetId)
  return contacts.mobileConfirmed && contacts.mobile === mobile ? payer : null
}

/** Changing the password when logged in, and resetting it through the confirmed mobile. */
export function passwordRoutes(router: Router<WebState>): void {
  router.get('/kabinet/sifre', requireLogin, (ctx) => changePage(ctx, {}))

  router.post('/kabinet/sifre', requireLogin, async (ctx) => {
    const { db, passwords, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const form = pick(formFields(ctx), ['current', 'password', 'password2'])
    const keys = { address: ctx.ip, account: `cabinet:${cabinet.id}` }
    // Spent before the check, so parallel guesses get no more checks than the limit.
    const attempt = await passwords.attempt(keys)
    if (!attempt.ok) return changePage(ctx, lockedWait(ctx, attempt.wait), 429)

    const hash = await storedPasswordHash(db, cabinet.id)
    if (!hash || !(await verifyPassword(form.current, hash))) {
      const after = await attempt.failed()
      if (after > 0) return changePage(ctx, lockedWait(ctx, after), 429)
      return changePage(ctx, { current: messages.oldPasswordWrong }, 422)
    }
    await attempt.release()
    const errors: Errors = {}
    const password = readNewPassword(form, errors)
    if (password === null) return changePage(ctx, errors, 422)
    if (password === form.current) return changePage(ctx, { password: messages.samePassword }, 422)

    await setPasswordHash(db, cabinet.id, await hashPassword(password))
    await beginCabinetSession(ctx, cabinet.id)
    await destroyCabinetSessions(db, cabinet.id, ctx.state.session!.idHash)
    log.info({ cabinet: String(cabinet.number) }, 'password changed')
    await setFlash(ctx, messages.passwordChanged)
    seeOther(ctx, '/kabinet/sifre')
  })

  router.get('/sifre-berpa', (ctx) => resetStartPage(ctx, { ref: '', mobile: '' }, {}))

  router.post('/sifre-berpa', async (ctx) => {
    const { db, sms, passwords } = ctx.state.web
    const form = pick(formFields(ctx), ['ref', 'mobile'])
    const errors: Errors = {}
    if (form.ref.trim() === '') errors.ref = messages.required
    let mobile: string | null = null
    try {
      mobile = parseMobile(form.mobile)
    } catch (err) {
      if (!isGatewayError(err, 'bad_request')) throw err
      errors.mobile = form.mobile.trim() === '' ? messages.required : messages.mobileFormat
    }
    if (Object.keys(errors).length > 0 || mobile === null) {
      return resetStartPage(ctx, form, errors, 422)
    }
    const keys = { address: ctx.ip, account: `reset:${normaliseRef(form.ref)}` }
    const attempt = await passwords.attempt(keys)
    if (!attempt.ok) return resetStartPage(ctx, form, lockedWait(ctx, attempt.wait), 429)

    let target: ResolvedPayer | null
    try {
      target = await resetTarget(ctx, form.ref, mobile)
    } catch (err) {
      if (!isGatewayError(err, 'account_format')) throw err
      await attempt.release()
      return resetStartPage(ctx, form, { ref: messages.loginFormat }, 422)
    }
    // Every request keeps its point, found or not, so neither the answer nor
    // when the lock comes tells which pairs were right.
    await attempt.failed()
    let codeId: string | null = null
    if (target) {
      const request = { cabinetId: target.cabinetId, purpose: 'reset_password' as const,
        phone: mobile }
      const issued = await issueCode(db, sms, request)
      // Asked again too soon, a right pair is answered like any other pair (a
      // "wait N seconds" would tell which pairs are right); the code sent
      // before, while it is still good, is the one to type.
      codeId = issued.ok ? issued.codeId : await latestUsableCode(db, request)
    }
    await updateSession(ctx, (d) => {
      d.reset = { cabinetId: target ? String(target.cabinetId) : null, codeId }
    })
    await setFlash(ctx, messages.resetSent)
    seeOther(ctx, '/sifre-berpa/kod')
  })

  router.get('/sifre-berpa/kod', async (ctx) => {
    if (!ctx.state.session?.data.reset) return seeOther(ctx, '/sifre-berpa')
    await resetCodePage(ctx, {})
  })

  router.post('/sifre-berpa/kod', async (ctx) => {
    const { db, log, logins } = ctx.state.web
    const reset = ctx.state.session?.data.reset
    if (!reset) {
      await setFlash(ctx, messages.resetExpired)
      return seeOther(ctx, '/sifre-berpa')
    }
    const form = pick(formFields(ctx), ['code', 'password', 'password2'])
    const code = form.code.replace(/\s/g, '')
    const errors: Errors = {}
    if (!/^\d{6}$/.test(code)) errors.code = messages.codeFormat
    const password = readNewPassword(form, errors)
    if (Object.keys(errors).length > 0 || password === null) {
      return resetCodePage(ctx, errors, 422)
    }
    const result = reset.cabinetId && reset.codeId
      ? await checkCode(db, { codeId: reset.codeId, cabinetId: BigInt(reset.cabinetId),
        purpose: 'reset_password', code })
      : { ok: false as const, reason: 'unknown' as const }
    if (!result.ok) {
      const text = result.reason === 'wrong' ? messages.codeWrong(result.attemptsLeft)
        : result.reason === 'expired' ? messages.codeExpired
          : result.reason === 'exhausted' ? messages.codeExhausted : messages.codeUnknown
      return resetCodePage(ctx, { code: text }, 422)
    }
    const cabinetId = BigInt(reset.cabinetId!)
    await setPasswordHash(db, cabinetId, await hashPassword(password))
    await destroyCabinetSessions(db, cabinetId)
    // The holder proved who they are by the code: old failed logins no longer matter.
    await logins.clearAccount(`cabinet:${cabinetId}`)
    await updateSession(ctx, (d) => delete d.reset)
    log.info({ cabinetId: String(cabinetId) }, 'password reset by SMS code')
    await setFlash(ctx, messages.resetDone)
    seeOther(ctx, '/giris')
  })
}
