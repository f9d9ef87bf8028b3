import type Router from '@koa/router'
import { isGatewayError } from '../../errors.ts'
import { createCabinet, fullName } from '../../payers/index.ts'
import { isRegistered } from '../cabinet-data.ts'
import { formatDate, formatDocument } from '../format.ts'
import {
  pick, readDocument, readEmail, readFin, readMobile, readNewPassword, seriesOptions,
  type Errors,
} from '../forms.ts'
import { messages } from '../messages.ts'
import { renderPage } from '../render.ts'
import {
  formFields, seeOther, setFlash, updateSession, type WebCtx, type WebState,
} from '../state.ts'

const title = 'Qeydiyyat'
const startFields = ['series', 'number', 'fin'] as const
const detailFields = ['mobile', 'email', 'password', 'password2'] as const

function startPage(ctx: WebCtx, form: Record<string, string>, errors: Errors, status = 200) {
  return renderPage(ctx, 'register-start', { form, errors, seriesOptions },
    { title, status, form: true })
}

async function detailsPage(
  ctx: WebCtx,
  form: Record<string, string>,
  errors: Errors,
  status = 200,
): Promise<void> {
  const reg = ctx.state.session?.data.registration
  const person = reg ? await ctx.state.web.registry.findByDocument(reg.document) : null
  if (!person) {
    await setFlash(ctx, messages.registrationExpired)
    return seeOther(ctx, '/qeydiyyat')
  }
  const shown = {
    fullName: fullName(person),
    birthDate: formatDate(person.birthDate),
    document: formatDocument(person.series, person.documentNumber),
  }
  await renderPage(ctx, 'register-details', { form, errors, person: shown },
    { title, status, form: true })
}

/** Step 1 proves who the person is (document and FIN); step 2 opens the cabinet. */
export function registrationRoutes(router: Router<WebState>): void {
  router.get('/qeydiyyat', (ctx) => startPage(ctx, { series: '-', number: '', fin: '' }, {}))

  router.post('/qeydiyyat', async (ctx) => {
    const { db, registry, lookups } = ctx.state.web
    const form = pick(formFields(ctx), startFields)
    const errors: Errors = {}
    const doc = readDocument(form, errors)
    const fin = readFin(form.fin, errors)
    if (!doc || !fin) return startPage(ctx, form, errors, 422)

    const keys = { address: ctx.ip, account: doc.document }
    // Spent before the registry is asked, so parallel guesses get no more lookups.
    const attempt = await lookups.attempt(keys)
    if (!attempt.ok) {
      ctx.set('Retry-After', String(attempt.wait))
      return startPage(ctx, form, { form: messages.locked(Math.ceil(attempt.wait / 60)) }, 429)
    }
    // A registry that cannot answer is no guess: the point goes back.
    const person = await registry.findByDocument(doc.document)
      .catch(async (err: unknown) => { await attempt.release(); throw err })
    if (!person || person.fin !== fin) {
      await attempt.failed()
      const problem: Errors = person
        ? { fin: messages.finMismatch }
        : { number: messages.unknownDocument }
      return startPage(ctx, form, problem, 422)
    }
    await attempt.release()
    if (await isRegistered(db, person.document, fin)) {
      return startPage(ctx, form, { form: messages.alreadyRegistered }, 409)
    }
    await updateSession(ctx, (d) => {
      d.registration = { document: person.document, fin }
    })
    seeOther(ctx, '/qeydiyyat/davam')
  })

  router.get('/qeydiyyat/davam', (ctx) => detailsPage(ctx, { mobile: '', email: '' }, {}))

  router.post('/qeydiyyat/davam', async (ctx) => {
    const { db, registry } = ctx.state.web
    const reg = ctx.state.session?.data.registration
    if (!reg) {
      await setFlash(ctx, messages.registrationExpired)
      return seeOther(ctx, '/qeydiyyat')
    }
    const form = pick(formFields(ctx), detailFields)
    const shownBack = { mobile: form.mobile, email: form.email }
    const errors: Errors = {}
    const mobile = readMobile(form.mobile, errors)
    const email = readEmail(form.email, errors)
    const password = readNewPassword(form, errors)
    if (Object.keys(errors).length > 0 || password === null) {
      return detailsPage(ctx, shownBack, errors, 422)
    }

    let opened: { number: bigint }
    try {
      opened = await createCabinet(db, registry, {
        document: reg.document, fin: reg.fin, password,
        ...(mobile ? { mobile } : {}), ...(email ? { email } : {}),
      })
    } catch (err) {
      const reason = isGatewayError(err) ? err.details.reason : undefined
      if (isGatewayError(err, 'conflict') && reason === 'already_registered') {
        return detailsPage(ctx, shownBack, { form: messages.alreadyRegistered }, 409)
      }
      if (isGatewayError(err, 'bad_request') && reason === 'weak_password') {
        return detailsPage(ctx, shownBack, { password: messages.weakPassword }, 422)
      }
      // The registry changed between the steps: start again from the document.
      if (isGatewayError(err, 'payer_not_found') || reason === 'fin_mismatch') {
        await updateSession(ctx, (d) => delete d.registration)
        await setFlash(ctx, messages.registrationExpired)
        return seeOther(ctx, '/qeydiyyat')
      }
      throw err
    }
    ctx.state.web.log.info({ cabinet: String(opened.number) }, 'cabinet registered on the web')
    await updateSession(ctx, (d) => {
      delete d.registration
      d.registered = String(opened.number)
    })
    seeOther(ctx, '/qeydiyyat/hazir')
  })

  router.get('/qeydiyyat/hazir', async (ctx) => {
    const number = ctx.state.session?.data.registered
    if (!number) return seeOther(ctx, '/qeydiyyat')
    await renderPage(ctx, 'register-done', { number }, { title: 'Kabinet açıldı' })
  })
}
