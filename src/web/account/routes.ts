import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type Router from '@koa/router'
import { redeemCode, type RedeemRefusal } from '../../account/index.ts'
import { cabinetBalance } from '../../ledger/index.ts'
import { formatAmount } from '../../money.ts'
import type { FailureLimiter } from '../limits.ts'
import { requireLogin } from '../middleware.ts'
import { formFields, seeOther, setFlash, type WebCtx, type WebState } from '../state.ts'
import { creditsView, debitsView, pageParam } from './history.ts'
import { accountMessages as say } from './messages.ts'
import { accountPage } from './pages.ts'

export const accountTitle = 'Hesab'
const stylesheet = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)),
  'static', 'hesab.css'))

function redeemPage(ctx: WebCtx, code: string, error: string | null, status = 200) {
  return accountPage(ctx, 'redeem', { code, errors: error ? { code: error } : {} },
    { title: 'Hesabı artır', status, form: true })
}

function lockedPage(ctx: WebCtx, code: string, seconds: number) {
  ctx.set('Retry-After', String(seconds))
  return redeemPage(ctx, code, say.redeemLocked(Math.ceil(seconds / 60)), 429)
}

// Refusals that tell a guesser nothing new: a voucher still being posted, one
// this cabinet already redeemed (a form sent twice), or a blocked cabinet.
const notGuesses: ReadonlySet<RedeemRefusal> = new Set(['pending', 'redeemed_here', 'blocked'])

/** Balance, both histories, redeeming a payment code, and paying at a terminal. */
export function accountRoutes(router: Router<WebState>, redeemGuard: FailureLimiter): void {
  router.get('/kabinet/hesab/hesab.css', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600')
    ctx.type = 'text/css; charset=utf-8'
    ctx.body = stylesheet
  })

  router.get('/kabinet/hesab', requireLogin, async (ctx) => {
    const cabinet = ctx.state.cabinet!
    const { db } = ctx.state.web
    const [balance, credits, debits] = await Promise.all([cabinetBalance(db, cabinet.id),
      creditsView(db, cabinet.id, 1), debitsView(db, cabinet.id, 1)])
    await accountPage(ctx, 'overview', { balance: formatAmount(balance),
      credits: { ...credits, lines: credits.lines.slice(0, 5) },
      debits: { ...debits, lines: debits.lines.slice(0, 5) } }, { title: accountTitle })
  })

  router.get('/kabinet/hesab/medaxil', requireLogin, async (ctx) => {
    const view = await creditsView(ctx.state.web.db, ctx.state.cabinet!.id,
      pageParam(ctx.query.sehife))
    await accountPage(ctx, 'credits', { view, base: '/kabinet/hesab/medaxil' },
      { title: 'Hesaba əlavə edilmiş məbləğlər' })
  })

  router.get('/kabinet/hesab/mexaric', requireLogin, async (ctx) => {
    const view = await debitsView(ctx.state.web.db, ctx.state.cabinet!.id,
      pageParam(ctx.query.sehife))
    await accountPage(ctx, 'debits', { view, base: '/kabinet/hesab/mexaric' },
      { title: 'Hesabdan istifadələr' })
  })

  router.get('/kabinet/hesab/terminal', requireLogin, (ctx) =>
    accountPage(ctx, 'terminal', { number: String(ctx.state.cabinet!.number) },
      { title: 'Terminal vasitəsilə ödəniş' }))

  router.get('/kabinet/hesab/artir', requireLogin, (ctx) => redeemPage(ctx, '', null))

  router.post('/kabinet/hesab/artir', requireLogin, async (ctx) => {
    const { db, log } = ctx.state.web
    const cabinet = ctx.state.cabinet!
    const typed = (formFields(ctx).code ?? '').slice(0, 64)
    if (typed.trim() === '') return redeemPage(ctx, typed, say.required, 422)
    // Guessing codes is what this limit is for. The point is spent before the
    // code is looked up, so a burst of guesses gets no more lookups than the limit.
    const keys = { address: ctx.ip, account: `cabinet:${cabinet.id}` }
    const attempt = await redeemGuard.attempt(keys)
    if (!attempt.ok) return lockedPage(ctx, typed, attempt.wait)
    const outcome = await redeemCode(db, cabinet.id, typed)
    if (!outcome.ok) {
      log.info({ cabinet: String(cabinet.number), reason: outcome.reason },
        'payment code refused')
      if (notGuesses.has(outcome.reason)) {
        await attempt.release()
        return redeemPage(ctx, typed, say.redeem[outcome.reason], 422)
      }
      const after = await attempt.failed()
      if (after > 0) return lockedPage(ctx, typed, after)
      return redeemPage(ctx, typed, say.redeem[outcome.reason], 422)
    }
    await attempt.release()
    log.info({ cabinet: String(cabinet.number), transactionId: String(outcome.transactionId) },
      'payment code redeemed')
    await setFlash(ctx, say.redeemed(`${formatAmount(outcome.amount)} AZN`, outcome.code))
    seeOther(ctx, '/kabinet/hesab/artir')
  })
}
