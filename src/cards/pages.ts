import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import Router from '@koa/router'
import type { AppContext } from '../context.ts'
import { isGatewayError, type ErrorCode } from '../errors.ts'
import { formatAmount, parseAmount } from '../money.ts'
import { fullName, maskedName, resolvePayer } from '../payers/index.ts'
import { webMiddleware, requireLogin } from '../web/middleware.ts'
import { renderPage } from '../web/render.ts'
import { formFields, type WebCtx, type WebState } from '../web/state.ts'
import { lookupLimiter, tooManyLookups } from './lookups.ts'
import { findByPublicId, pendingStates, type CardOrder } from './orders.ts'
import { cardProcessors } from './processors.ts'
import { settleOrder } from './settle.ts'
import { startPayment } from './start.ts'
import { cardViews, redirectPage, redirectPolicy } from './views.ts'

const title = 'Kartla ödəniş'

const refErrors: Partial<Record<ErrorCode, string>> = {
  account_format: 'Nömrə düzgün yazılmayıb: şəxsiyyət vəsiqəsinin nömrəsini (məsələn, '
    + 'AA0123456) və ya kabinetin nömrəsini yazın.',
  payer_not_found: 'Bu nömrə ilə qeydiyyatdan keçmiş kabinet tapılmadı.',
  cabinet_blocked: 'Bu kabinet bloklanıb; ona ödəniş qəbul edilmir.',
}

const amountErrors: Partial<Record<ErrorCode, string>> = {
  amount_format: 'Məbləği 10 və ya 25.50 kimi, nöqtə ilə yazın.',
  amount_too_small: 'Məbləğ sıfırdan böyük olmalıdır.',
  amount_too_large: 'Məbləğ icazə verilən ən böyük məbləğdən çoxdur.',
}

const stateTexts: Record<CardOrder['state'], [string, string]> = {
  created: ['Ödəniş gözlənilir', 'Ödənişin nəticəsi hələ bəlli deyil. Bir neçə dəqiqədən '
    + 'sonra yenidən yoxlayın.'],
  redirected: ['Ödəniş gözlənilir', 'Ödənişin nəticəsi hələ bəlli deyil. Bir neçə dəqiqədən '
    + 'sonra yenidən yoxlayın.'],
  paid: ['Ödəniş qəbul edildi', 'Ödəniş uğurla başa çatdı; məbləğ kabinetin hesabına '
    + 'əlavə edilir.'],
  declined: ['Ödəniş alınmadı', 'Bank ödənişi təsdiq etmədi. Başqa kartla yenidən cəhd edə '
    + 'bilərsiniz.'],
  expired: ['Ödəniş başa çatmadı', 'Ödəniş vaxtında tamamlanmadı.'],
  reversed: ['Ödəniş geri qaytarıldı', 'Məbləğ karta geri qaytarılıb.'],
}

const unavailableText = 'Ödəniş sistemi hazırda cavab vermir. Bir az sonra yenidən cəhd edin.'

/** The public pay page, the logged-in entry and the order result page. */
export function cardsRouter(ctx: AppContext): Router<WebState> {
  const router = new Router<WebState>()
  router.use(...webMiddleware(ctx))
  const processors = () => cardProcessors(ctx)
  const choices = () => [...processors().values()].map((p) => ({ id: p.id, label: p.label }))

  const startPage = (c: WebCtx, ref: string, error?: string, status = 200) =>
    renderPage(c, 'pay-start', { ref, error }, { title, status, views: cardViews, form: true })

  const amountPage = (c: WebCtx, data: { name: string; ref?: string; action: string;
    back: string; form?: Record<string, string>; errors?: Record<string, string> },
  status = 200) => renderPage(c, 'pay-amount', {
    name: data.name, ref: data.ref ?? '', action: data.action, back: data.back,
    amount: data.form?.amount ?? '', processor: data.form?.processor ?? '',
    errors: data.errors ?? {}, processors: choices(), max: formatAmount(ctx.config.maxAmount),
  }, { title, status, views: cardViews, form: true })

  const limiter = lookupLimiter(ctx.db)

  // Every lookup shows a masked name, so each one spends one of the address's
  // lookups before it runs; one that resolves to nothing also counts as a
  // failure, like a failed login.
  async function payer(c: WebCtx, ref: string) {
    const wait = await limiter.take(c.ip)
    if (wait > 0) {
      c.set('Retry-After', String(wait))
      return { error: tooManyLookups(wait), status: 429 }
    }
    const { lookups } = c.state.web
    const keys = { address: c.ip }
    const locked = await lookups.lockedFor(keys)
    if (locked > 0) {
      c.set('Retry-After', String(locked))
      return { error: 'Çox sayda uğursuz cəhd oldu. Bir neçə dəqiqədən sonra yenidən cəhd edin.',
        status: 429 }
    }
    try {
      return { payer: await resolvePayer(ctx.db, ref, 'either') }
    } catch (err) {
      const text = isGatewayError(err) ? refErrors[err.code] : undefined
      if (!text || !isGatewayError(err)) throw err
      if (err.code !== 'cabinet_blocked') await lookups.fail(keys)
      return { error: text, status: 422 }
    }
  }

  async function begin(c: WebCtx, form: Record<string, string>, cabinetId: bigint,
    channel: 'cabinet' | 'public'): Promise<Record<string, string> | null> {
    const errors: Record<string, string> = {}
    let amount = 0n
    try {
      amount = parseAmount(form.amount?.trim(), ctx.config.maxAmount)
    } catch (err) {
      if (!isGatewayError(err) || !amountErrors[err.code]) throw err
      errors.amount = amountErrors[err.code] as string
    }
    const processor = processors().get(form.processor ?? '')
    if (!processor) errors.processor = 'Ödəniş sistemini seçin.'
    if (!processor || errors.amount) return errors
    try {
      const { redirect } = await startPayment(ctx, processor, { cabinetId, amount, channel })
      const nonce = randomBytes(16).toString('base64')
      c.set('Content-Security-Policy', redirectPolicy(redirect, nonce))
      c.type = 'text/html; charset=utf-8'
      c.body = redirectPage(redirect, processor.label, nonce)
      return null
    } catch (err) {
      if (!isGatewayError(err, 'unavailable')) throw err
      return { processor: unavailableText }
    }
  }

  router.get('/kartla-odenis', (c) => startPage(c, ''))

  const css = readFileSync(path.join(cardViews, '..', 'static', 'cards.css'))
  router.get('/kartla-odenis/cards.css', (c) => {
    c.set('Cache-Control', 'public, max-age=3600')
    c.type = 'text/css; charset=utf-8'
    c.body = css
  })

  router.post('/kartla-odenis', async (c) => {
    const ref = (formFields(c).ref ?? '').trim().slice(0, 40)
    const found = await payer(c, ref)
    if (!found.payer) return startPage(c, ref, found.error, found.status)
    await amountPage(c, { name: found.payer.maskedName, ref, action: '/kartla-odenis/odenis',
      back: '/kartla-odenis' })
  })

  router.post('/kartla-odenis/odenis', async (c) => {
    const form = formFields(c)
    const ref = (form.ref ?? '').trim().slice(0, 40)
    const found = await payer(c, ref)
    if (!found.payer) return startPage(c, ref, found.error, found.status)
    const errors = await begin(c, form, found.payer.cabinetId, 'public')
    if (errors) {
      await amountPage(c, { name: found.payer.maskedName, ref, action: '/kartla-odenis/odenis',
        back: '/kartla-odenis', form, errors }, 422)
    }
  })

  router.get('/kabinet/kartla-odenis', requireLogin, async (c) => {
    const cabinet = c.state.cabinet
    if (!cabinet) return
    await amountPage(c, { name: fullName(cabinet), action: '/kabinet/kartla-odenis',
      back: '/kabinet' })
  })

  router.post('/kabinet/kartla-odenis', requireLogin, async (c) => {
    const cabinet = c.state.cabinet
    if (!cabinet) return
    const form = formFields(c)
    const errors = await begin(c, form, cabinet.id, 'cabinet')
    if (errors) {
      await amountPage(c, { name: fullName(cabinet), action: '/kabinet/kartla-odenis',
        back: '/kabinet', form, errors }, 422)
    }
  })

  router.get('/kartla-odenis/sifaris/:publicId', async (c) => {
    let order = await findByPublicId(ctx.db, c.params.publicId ?? '')
    const processor = order ? processors().get(order.processor) : undefined
    if (!order) {
      c.status = 404
      return startPage(c, '', 'Belə ödəniş tapılmadı.', 404)
    }
    const recent = order.lastCheckedAt && Date.now() - order.lastCheckedAt.getTime() < 5_000
    // An expired order is asked about too: a payment the processor reports is credited late.
    const open = pendingStates.includes(order.state) || order.state === 'expired'
    if (processor && c.query.qayit !== undefined && open && !recent) {
      const result = await settleOrder(ctx, processor, order.orderNumber, { trigger: 'return' })
      if (result.status !== 'unknown') order = result.order
    }
    const cabinet = await ctx.db('cabinets').where({ id: order.cabinetId })
      .first('surname', 'name', 'patronymic')
    const payment = order.paymentId
      ? await ctx.db('payments').where({ id: order.paymentId }).first('payment_code')
      : null
    const [heading, message] = stateTexts[order.state]
    await renderPage(c, 'order', {
      heading, message, state: order.state, name: cabinet ? maskedName(cabinet) : '',
      amount: formatAmount(order.amount), processor: processor?.label ?? order.processor,
      orderNumber: order.orderNumber, paymentCode: payment?.payment_code ?? null,
      pending: pendingStates.includes(order.state),
      refresh: `/kartla-odenis/sifaris/${order.publicId}?qayit=1`,
      again: order.channel === 'cabinet' ? '/kabinet/kartla-odenis' : '/kartla-odenis',
    }, { title: heading, views: cardViews })
  })

  return router
}
