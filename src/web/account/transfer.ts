import type Router from '@koa/router'
import {
  confirmTransfer, findTransferIntent, findTransferReceipt, startTransfer, type TransferIntent,
} from '../../account/index.ts'
import { formatAmount } from '../../money.ts'
import { requireLogin } from '../middleware.ts'
import { messages } from '../messages.ts'
import { formFields, seeOther, setFlash, type WebCtx, type WebState } from '../state.ts'
import { bakuDateTime } from './history.ts'
import { accountMessages as say } from './messages.ts'
import { accountPage } from './pages.ts'

const title = 'Digər şəxsin hesabına köçürmə'
type Errors = Record<string, string>

function startPage(ctx: WebCtx, recipient: string, errors: Errors, status = 200) {
  return accountPage(ctx, 'transfer-start', { recipient, errors },
    { title, status, form: true })
}

function amountPage(ctx: WebCtx, intent: TransferIntent, amount: string, errors: Errors,
  status = 200) {
  return accountPage(ctx, 'transfer-amount', { intent: { token: intent.token,
    number: String(intent.toNumber), name: intent.toMaskedName }, amount, errors },
  { title, status, form: true })
}

function locked(ctx: WebCtx, seconds: number): Errors {
  ctx.set('Retry-After', String(seconds))
  return { form: messages.locked(Math.ceil(seconds / 60)) }
}

/**
 * The transfer in three steps: the recipient's cabinet number with one's own
 * password; then the recipient's masked name and the amount; then the receipt.
 * The amount form carries a one-time token, so sending it twice moves the
 * money once.
 */
export function transferRoutes(router: Router<WebState>): void {
  router.get('/kabinet/hesab/kocurme', requireLogin, (ctx) => startPage(ctx, '', {}))

  router.post('/kabinet/hesab/kocurme', requireLogin, async (ctx) => {
    const { db, passwords, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const form = formFields(ctx)
    const recipient = (form.recipient ?? '').slice(0, 40)
    const password = form.password ?? ''
    const errors: Errors = {}
    if (recipient.trim() === '') errors.recipient = say.required
    if (password === '') errors.password = say.required
    if (Object.keys(errors).length) return startPage(ctx, recipient, errors, 422)

    // Wrong passwords here count with those of the password-change form; the
    // point is spent before the password is checked, so a burst gets no more.
    const keys = { address: ctx.ip, account: `cabinet:${cabinet.id}` }
    const attempt = await passwords.attempt(keys)
    if (!attempt.ok) return startPage(ctx, recipient, locked(ctx, attempt.wait), 429)
    const started = await startTransfer(db, { fromCabinetId: cabinet.id, password, recipient })
    if (!started.ok && started.reason === 'wrong_password') {
      const after = await attempt.failed()
      if (after > 0) return startPage(ctx, recipient, locked(ctx, after), 429)
      return startPage(ctx, recipient, { password: say.start.wrong_password }, 422)
    }
    // The password was right (or never checked): only this attempt's point comes back.
    await attempt.release()
    if (!started.ok) {
      const field = started.reason === 'blocked' ? 'form' : 'recipient'
      return startPage(ctx, recipient, { [field]: say.start[started.reason] }, 422)
    }
    log.info({ cabinet: String(cabinet.number), to: String(started.intent.toNumber) },
      'transfer started')
    await amountPage(ctx, started.intent, '', {})
  })

  router.post('/kabinet/hesab/kocurme/tesdiq', requireLogin, async (ctx) => {
    const { db, config, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const form = formFields(ctx)
    const token = (form.token ?? '').slice(0, 64)
    const amount = (form.amount ?? '').slice(0, 20)
    const done = await confirmTransfer(db, { fromCabinetId: cabinet.id, token, amount,
      maxAmount: config.maxAmount })
    if (done.ok || done.reason === 'done_with_other_amount') {
      const receipt = done.receipt!
      if (done.ok && !done.replayed) {
        log.info({ cabinet: String(cabinet.number), to: String(receipt.toNumber),
          transactionId: String(receipt.transactionId) }, 'transfer made')
      }
      await setFlash(ctx, done.ok
        ? (done.replayed ? say.transferReplayed : say.transferred)
        : say.confirm.done_with_other_amount)
      return seeOther(ctx, `/kabinet/hesab/kocurme/${receipt.transactionId}`)
    }
    const intent = await findTransferIntent(db, cabinet.id, token)
    if (!intent) {
      await setFlash(ctx, say.confirm[done.reason])
      return seeOther(ctx, '/kabinet/hesab/kocurme')
    }
    const field = done.reason.startsWith('amount') || done.reason === 'insufficient_funds'
      ? 'amount' : 'form'
    await amountPage(ctx, intent, amount, { [field]: say.confirm[done.reason] }, 422)
  })

  router.get('/kabinet/hesab/kocurme/:tx', requireLogin, async (ctx) => {
    const tx = /^[1-9]\d{0,17}$/.test(ctx.params.tx ?? '') ? BigInt(ctx.params.tx!) : null
    const receipt = tx && await findTransferReceipt(ctx.state.web.db, ctx.state.cabinet!.id, tx)
    if (!receipt) return seeOther(ctx, '/kabinet/hesab/kocurme')
    await accountPage(ctx, 'transfer-done', { r: {
      amount: formatAmount(receipt.amount), to: String(receipt.toNumber),
      name: receipt.toMaskedName, ...bakuDateTime(receipt.completedAt) } }, { title })
  })
}
