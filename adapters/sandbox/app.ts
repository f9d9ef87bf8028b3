import { randomBytes, randomInt, type KeyObject } from 'node:crypto'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import type { Logger } from '../../src/log.ts'
import { azericardAmount, nonce, parseReportedAmount, utcTimestamp } from '../azericard/format.ts'
import { macSource, rsaMacFields, rsaSign, rsaVerify } from '../azericard/mac.ts'
import { hostedPage, notice, relayForm } from './pages.ts'

/** One order the sandbox has seen, as a processor would keep it. */
export interface SandboxOrder {
  order: string
  terminal: string
  amount: string
  backref: string
  state: 'new' | 'paid' | 'declined' | 'reversed'
  rrn?: string
  intRef?: string
  approval?: string
}

/** Knobs for tests and demos: a slow or broken status service, a tampering gateway. */
export interface SandboxBehaviour {
  statusDelayMs: number
  statusHttpError: boolean
  /** Report this amount instead of the order's in callbacks and status answers. */
  reportAmount?: string
}

export interface Sandbox {
  app: Koa
  orders: Map<string, SandboxOrder>
  behaviour: SandboxBehaviour
  /** What the payer's click does: decide, then return the signed callback fields. */
  decide(order: string, action: 'pay' | 'decline'): Record<string, string>
  /** Status queries answered so far, by ORDER. */
  statusQueries: Map<string, number>
}

export interface SandboxOptions {
  /** Signs callbacks (Azericard's side of the RSA scheme). */
  gatewayKey: KeyObject
  /** Checks the merchant's P_SIGN on sales, status queries and reversals. */
  merchantKey: KeyObject
  log: Logger
}

type Fields = Record<string, string>

function stringFields(body: unknown): Fields {
  const out: Fields = {}
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v
  }
  return out
}

const skewMs = 60 * 60_000

function fresh(timestamp: string | undefined): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timestamp ?? '')
  if (!m) return false
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]),
    Number(m[6]))
  return Math.abs(Date.now() - at) <= skewMs
}

/**
 * A local stand-in for Azericard's CGI gateway: it checks our signed sale form,
 * shows a hosted page with "Ödə" and "İmtina et", sends the payer back to
 * BACKREF with a callback signed like the real one, and answers TRTYPE 90
 * status queries and TRTYPE 24 reversals.
 */
export function createSandbox(opts: SandboxOptions): Sandbox {
  const orders = new Map<string, SandboxOrder>()
  const statusQueries = new Map<string, number>()
  const behaviour: SandboxBehaviour = { statusDelayMs: 0, statusHttpError: false }
  const log = opts.log.child({ component: 'sandbox' })

  const verified = (f: Fields, order: readonly string[]) =>
    rsaVerify(opts.merchantKey, macSource(f, order), f.P_SIGN ?? '')

  function callbackFields(o: SandboxOrder): Fields {
    const paid = o.state === 'paid'
    const f: Fields = {
      TERMINAL: o.terminal, TRTYPE: '1', ORDER: o.order,
      AMOUNT: behaviour.reportAmount ?? o.amount, CURRENCY: '944',
      ACTION: paid ? '0' : '2', RC: paid ? '00' : '05', APPROVAL: o.approval ?? '',
      RRN: o.rrn ?? '', INT_REF: o.intRef ?? '', TIMESTAMP: utcTimestamp(), NONCE: nonce(),
      CARD: '416973******1234',
    }
    return { ...f, P_SIGN: rsaSign(opts.gatewayKey, macSource(f, rsaMacFields.callback)) }
  }

  function decide(order: string, action: 'pay' | 'decline'): Fields {
    const o = orders.get(order)
    if (!o) throw new Error(`sandbox: no order ${order}`)
    if (o.state === 'new') {
      o.state = action === 'pay' ? 'paid' : 'declined'
      o.rrn = String(randomInt(100_000, 1_000_000)) + String(randomInt(100_000, 1_000_000))
      o.intRef = randomBytes(8).toString('hex').toUpperCase()
      if (o.state === 'paid') o.approval = String(randomInt(100_000, 1_000_000))
      log.info({ order, state: o.state }, 'sandbox payer decided')
    }
    return callbackFields(o)
  }

  function sale(f: Fields): { status: number; body: string } {
    if (!verified(f, rsaMacFields.auth)) {
      return { status: 400, body: notice('Sorğunun imzası (P_SIGN) yoxlanılmadı.') }
    }
    if (!fresh(f.TIMESTAMP)) {
      return { status: 400, body: notice('TIMESTAMP GMT vaxtından 1 saatdan çox fərqlənir.') }
    }
    const amount = parseReportedAmount(f.AMOUNT)
    if (amount === null || !/^\d{6,32}$/.test(f.ORDER ?? '') || !f.BACKREF || !f.TERMINAL) {
      return { status: 400, body: notice('Sorğu natamamdır.') }
    }
    if (!orders.has(f.ORDER ?? '')) {
      orders.set(f.ORDER ?? '', { order: f.ORDER ?? '', terminal: f.TERMINAL,
        amount: azericardAmount(amount), backref: f.BACKREF, state: 'new' })
    }
    const o = orders.get(f.ORDER ?? '') as SandboxOrder
    return { status: 200, body: hostedPage(o, f.MERCH_NAME ?? '', f.DESC ?? '') }
  }

  function status(f: Fields): Record<string, string | number> {
    const o = orders.get(f.ORDER ?? '')
    statusQueries.set(f.ORDER ?? '', (statusQueries.get(f.ORDER ?? '') ?? 0) + 1)
    const base = { terminal: f.TERMINAL ?? '', nonce: nonce(), timestamp: utcTimestamp() }
    const askedReversal = f.TRAN_TRTYPE === '24'
    if (!o || o.state === 'new' || (askedReversal && o.state !== 'reversed')) {
      return { ...base, actionCode: 3, responseCode: '-24',
        statusMsg: 'Transaction context mismatch' }
    }
    const approved = o.state === 'paid' || o.state === 'reversed'
    return {
      ...base, actionCode: approved ? 0 : 2, responseCode: approved ? '00' : '05',
      statusMsg: approved ? 'Approved' : 'Declined', card: '416973******1234',
      amount: behaviour.reportAmount ?? o.amount, currency: '944', tranDate: utcTimestamp(),
      rrn: o.rrn ?? '', intRef: o.intRef ?? '', approval_id: o.approval ?? '',
    }
  }

  function reversal(f: Fields): string {
    const o = orders.get(f.ORDER ?? '')
    if (!o || o.state !== 'paid' || o.rrn !== f.RRN || o.intRef !== f.INT_REF
      || o.amount !== f.AMOUNT) return '2'
    o.state = 'reversed'
    log.info({ order: o.order }, 'sandbox reversed a payment')
    return '0'
  }

  const router = new Router()
  router.post('/cgi-bin/cgi_link', async (ctx) => {
    const f = stringFields(ctx.request.body)
    if (f.TRTYPE === '1' || f.TRTYPE === '0') {
      const answer = sale(f)
      ctx.status = answer.status
      ctx.type = 'html'
      ctx.body = answer.body
      return
    }
    if (f.TRTYPE === '90') {
      if (behaviour.statusDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, behaviour.statusDelayMs))
      }
      if (!verified(f, rsaMacFields.status) || behaviour.statusHttpError) {
        ctx.status = behaviour.statusHttpError ? 503 : 400
        ctx.body = behaviour.statusHttpError ? 'unavailable' : 'bad P_SIGN'
        return
      }
      ctx.body = status(f)
      return
    }
    if (f.TRTYPE === '24') {
      ctx.type = 'text'
      ctx.body = verified(f, rsaMacFields.adjust) ? reversal(f) : '3'
      return
    }
    ctx.status = 400
    ctx.body = 'unsupported TRTYPE'
  })
  router.post('/sandbox/odenis/:order', (ctx) => {
    const action = stringFields(ctx.request.body).action === 'pay' ? 'pay' : 'decline'
    const o = orders.get(ctx.params.order ?? '')
    if (!o) {
      ctx.status = 404
      ctx.type = 'html'
      ctx.body = notice('Belə sifariş yoxdur.')
      return
    }
    ctx.type = 'html'
    ctx.body = relayForm(o.backref, decide(o.order, action))
  })

  const app = new Koa()
  app.use(bodyParser({ enableTypes: ['form', 'json'] }))
  app.use(router.routes())
  app.use(router.allowedMethods())
  return { app, orders, behaviour, decide, statusQueries }
}
