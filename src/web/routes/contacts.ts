import type Router from '@koa/router'
import { isGatewayError } from '../../errors.ts'
import {
  confirmMobile, readContacts, removeMobile, saveContacts, type Contacts,
} from '../cabinet-data.ts'
import { districts } from '../districts.ts'
import { formatMobile } from '../format.ts'
import {
  pick, readEmail, readHomePhone, readMobile, readText, type Errors,
} from '../forms.ts'
import { messages } from '../messages.ts'
import { requireLogin } from '../middleware.ts'
import { renderPage } from '../render.ts'
import { checkCode, issueCode } from '../sms-codes.ts'
import {
  formFields, seeOther, setFlash, updateSession, type WebCtx, type WebState,
} from '../state.ts'

const title = 'Əlaqə məlumatları'
const fields = ['district', 'address', 'homePhone', 'mobile', 'email'] as const

function contactsForm(c: Contacts): Record<(typeof fields)[number], string> {
  return {
    district: c.actualDistrict ?? '', address: c.actualAddress ?? '',
    homePhone: c.homePhone ?? '', mobile: c.mobile ? formatMobile(c.mobile) : '',
    email: c.email ?? '',
  }
}

async function contactsPage(
  ctx: WebCtx,
  form: Record<string, string> | null,
  errors: Errors,
  status = 200,
): Promise<void> {
  const c = await readContacts(ctx.state.web.db, ctx.state.cabinet!.id)
  await renderPage(ctx, 'contacts', {
    form: form ?? contactsForm(c), errors, districts,
    mobile: c.mobile ? formatMobile(c.mobile) : null, mobileConfirmed: c.mobileConfirmed,
  }, { title, status, form: true })
}

function confirmPage(ctx: WebCtx, errors: Errors, status = 200) {
  const phone = ctx.state.session!.data.pendingMobile!.phone
  return renderPage(ctx, 'mobile-confirm', { phone: formatMobile(phone), errors },
    { title: 'Mobil nömrənin təsdiqi', status, form: true })
}

/**
 * Sends a confirmation code to `phone` and leads to the code page; when the
 * SMS cannot go out, the contacts page says so.
 */
async function sendCode(ctx: WebCtx, phone: string): Promise<void> {
  const { db, sms } = ctx.state.web
  const cabinetId = ctx.state.cabinet!.id
  let issued
  try {
    issued = await issueCode(db, sms, { cabinetId, purpose: 'confirm_mobile', phone })
  } catch (err) {
    if (!isGatewayError(err, 'unavailable')) throw err
    await contactsPage(ctx, null, { mobile: messages.smsFailed }, 503)
    return
  }
  if (!issued.ok) {
    ctx.set('Retry-After', String(issued.retryAfterSec))
    await setFlash(ctx, messages.codeThrottled(issued.retryAfterSec))
  } else {
    await updateSession(ctx, (d) => {
      d.pendingMobile = { phone, codeId: issued.codeId }
    })
    await setFlash(ctx, messages.codeSent(formatMobile(phone)))
  }
  seeOther(ctx, ctx.state.session?.data.pendingMobile ? '/kabinet/elaqe/tesdiq' : '/kabinet/elaqe')
}

/** Contact data, and confirming a mobile number with an SMS code. */
export function contactRoutes(router: Router<WebState>): void {
  router.get('/kabinet/elaqe', requireLogin, (ctx) => contactsPage(ctx, null, {}))

  router.post('/kabinet/elaqe', requireLogin, async (ctx) => {
    const { db } = ctx.state.web
    const cabinetId = ctx.state.cabinet!.id
    const form = pick(formFields(ctx), fields)
    const errors: Errors = {}
    const actualDistrict = readText(form.district, 'district', 100, errors)
    const actualAddress = readText(form.address, 'address', 300, errors)
    const homePhone = readHomePhone(form.homePhone, errors)
    const mobile = readMobile(form.mobile, errors)
    const email = readEmail(form.email, errors)
    if (Object.keys(errors).length > 0) return contactsPage(ctx, form, errors, 422)

    const before = await readContacts(db, cabinetId)
    await saveContacts(db, cabinetId, { actualDistrict, actualAddress, homePhone, email })
    if (mobile === null && before.mobile !== null) await removeMobile(db, cabinetId)
    if (mobile !== null && mobile !== before.mobile) {
      return sendCode(ctx, mobile)
    }
    await setFlash(ctx, messages.contactsSaved)
    seeOther(ctx, '/kabinet/elaqe')
  })

  router.post('/kabinet/elaqe/kod', requireLogin, async (ctx) => {
    const pending = ctx.state.session?.data.pendingMobile
    const current = await readContacts(ctx.state.web.db, ctx.state.cabinet!.id)
    const phone = pending?.phone ?? (current.mobileConfirmed ? null : current.mobile)
    if (!phone) {
      await setFlash(ctx, messages.noPendingMobile)
      return seeOther(ctx, '/kabinet/elaqe')
    }
    await sendCode(ctx, phone)
  })

  router.get('/kabinet/elaqe/tesdiq', requireLogin, async (ctx) => {
    if (!ctx.state.session?.data.pendingMobile) return seeOther(ctx, '/kabinet/elaqe')
    await confirmPage(ctx, {})
  })

  router.post('/kabinet/elaqe/tesdiq', requireLogin, async (ctx) => {
    const { db, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const pending = ctx.state.session?.data.pendingMobile
    if (!pending) return seeOther(ctx, '/kabinet/elaqe')
    const code = (formFields(ctx).code ?? '').replace(/\s/g, '')
    if (!/^\d{6}$/.test(code)) return confirmPage(ctx, { code: messages.codeFormat }, 422)

    const result = await checkCode(db,
      { codeId: pending.codeId, cabinetId: cabinet.id, purpose: 'confirm_mobile', code })
    if (!result.ok) {
      const text = result.reason === 'wrong' ? messages.codeWrong(result.attemptsLeft)
        : result.reason === 'expired' ? messages.codeExpired
          : result.reason === 'exhausted' ? messages.codeExhausted : messages.codeUnknown
      return confirmPage(ctx, { code: text }, 422)
    }
    await confirmMobile(db, cabinet.id, result.phone)
    await updateSession(ctx, (d) => delete d.pendingMobile)
    log.info({ cabinet: String(cabinet.number) }, 'mobile number confirmed')
    await setFlash(ctx, messages.mobileConfirmed)
    seeOther(ctx, '/kabinet/elaqe')
  })
}
