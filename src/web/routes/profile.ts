import type Router from '@koa/router'
import { cabinetBalance } from '../../ledger/index.ts'
import { readContacts, refreshFromRegistry } from '../cabinet-data.ts'
import {
  countryName, formatBalance, formatDate, formatDocument, formatMobile, sexNames, titleCase,
} from '../format.ts'
import { pick, readDocument, seriesOptions, type Errors } from '../forms.ts'
import { messages } from '../messages.ts'
import { requireLogin } from '../middleware.ts'
import { placeholderSvg } from '../photos.ts'
import { renderPage } from '../render.ts'
import { formFields, seeOther, setFlash, type WebCtx, type WebState } from '../state.ts'

const personalTitle = 'Şəxsi məlumatlar'

function personalPage(ctx: WebCtx, form: Record<string, string>, errors: Errors, status = 200) {
  const c = ctx.state.cabinet!
  const p = {
    surname: c.surname, name: c.name, patronymic: c.patronymic, sex: sexNames[c.sex],
    birthDate: formatDate(c.birthDate), citizenship: countryName(c.citizenship),
    document: formatDocument(c.series, c.documentNumber), fin: c.fin,
    district: c.district, address: c.address,
  }
  return renderPage(ctx, 'personal', { p, form, errors, seriesOptions },
    { title: personalTitle, status, form: true })
}

/** The cabinet's home, personal data with "my document was renewed", and the photo. */
export function profileRoutes(router: Router<WebState>): void {
  router.get('/kabinet', requireLogin, async (ctx) => {
    const c = ctx.state.cabinet!
    const contacts = await readContacts(ctx.state.web.db, c.id)
    await renderPage(ctx, 'home', {
      name: titleCase(c.name),
      number: String(c.number),
      balance: formatBalance(await cabinetBalance(ctx.state.web.db, c.id)),
      mobile: contacts.mobile ? formatMobile(contacts.mobile) : null,
      mobileConfirmed: contacts.mobileConfirmed,
    }, { title: 'Kabinet' })
  })

  router.get('/kabinet/sexsi-melumatlar', requireLogin,
    (ctx) => personalPage(ctx, { series: '-', number: '' }, {}))

  router.post('/kabinet/sexsi-melumatlar/yenile', requireLogin, async (ctx) => {
    const { db, registry, lookups, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const form = pick(formFields(ctx), ['series', 'number'])
    const errors: Errors = {}
    const doc = readDocument(form, errors)
    if (!doc) return personalPage(ctx, form, errors, 422)

    const keys = { address: ctx.ip, account: `cabinet:${cabinet.id}` }
    const attempt = await lookups.attempt(keys)
    if (!attempt.ok) {
      ctx.set('Retry-After', String(attempt.wait))
      return personalPage(ctx, form, { form: messages.locked(Math.ceil(attempt.wait / 60)) },
        429)
    }
    const outcome = await refreshFromRegistry(db, registry, cabinet, doc)
      .catch(async (err: unknown) => { await attempt.release(); throw err })
    const refusals = {
      not_found: { status: 422, errors: { number: messages.unknownDocument } },
      other_person: { status: 422, errors: { number: messages.documentOfOther } },
      taken: { status: 409, errors: { form: messages.documentTaken } },
    }
    // A document of this person already in another cabinet is not a guess.
    if (outcome === 'refreshed' || outcome === 'taken') await attempt.release()
    else await attempt.failed()
    if (outcome !== 'refreshed') {
      return personalPage(ctx, form, refusals[outcome].errors, refusals[outcome].status)
    }
    log.info({ cabinet: String(cabinet.number) }, 'document refreshed from the registry')
    await setFlash(ctx, messages.documentRefreshed)
    seeOther(ctx, '/kabinet/sexsi-melumatlar')
  })

  router.get('/kabinet/foto', requireLogin, async (ctx) => {
    const photo = await ctx.state.web.photos.photoFor(ctx.state.cabinet!.document)
    ctx.set('Cache-Control', 'private, max-age=300')
    ctx.type = photo?.type ?? 'image/svg+xml'
    ctx.body = photo?.bytes ?? placeholderSvg
  })
}
