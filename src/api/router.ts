import { bodyParser } from '@koa/bodyparser'
import { Router } from '@koa/router'
import type { Context, Next } from 'koa'
import {
  createCharge, getCharge, refundCharge, type Answer, type ChargeClient,
} from '../account/index.ts'
import type { AppContext } from '../context.ts'
import { GatewayError } from '../errors.ts'
import { parseAmount } from '../money.ts'
import { bearerAuth } from './auth.ts'
import { apiErrorAnswer } from './errors.ts'
import { openapi } from './openapi.ts'
import { validateBody } from './validate.ts'

export type ApiDeps = Pick<AppContext, 'db' | 'log' | 'providers' | 'config'>

interface ChargeBody {
  cabinet: string
  amount: string
  purpose: string
  servedPerson: string
  externalId: string
}

interface RefundBody {
  refundId: string
  amount?: string
  reason?: string
}

// Errors in this API's own shape; 5xx faults are left for the request log.
async function answerErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next()
  } catch (err) {
    const parserFault = (err as { status?: number }).status === 400
      || (err as { status?: number }).status === 413
    const fault = parserFault && !(err instanceof GatewayError)
      ? new GatewayError('bad_request', 'request body is not valid JSON or is too large')
      : err
    const { status, body } = apiErrorAnswer(fault)
    ctx.status = status
    ctx.body = body
    if (status >= 500) ctx.state.error = err
    ctx.state.outcome = body.error.code
    if (status === 401) ctx.set('WWW-Authenticate', 'Bearer')
  }
}

function requireJson(ctx: Context): unknown {
  if (!ctx.is('application/json')) {
    throw new GatewayError('bad_request', 'Content-Type must be application/json')
  }
  return ctx.request.body
}

function send<T>(ctx: Context, answer: Answer<T>, location?: string): void {
  ctx.status = answer.created ? 201 : 200
  if (answer.created && location) ctx.set('Location', location)
  ctx.body = answer.body
}

function chargeId(raw: string | undefined): bigint {
  if (!raw || !/^[1-9]\d{0,17}$/.test(raw)) {
    throw new GatewayError('not_found', 'no charge has this id')
  }
  return BigInt(raw)
}

/**
 * The charge API of the centre's services, under /api/v1: bearer token per
 * client, bodies validated against the OpenAPI document it also serves.
 */
export function apiRouter(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api/v1' })
  const authenticate = bearerAuth(deps.providers.clients)
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' })
  const auth = async (ctx: Context, next: Next) => {
    const c = authenticate(ctx.get('Authorization') || undefined)
    ctx.state.client = c
    ctx.state.logFields = { client: c.id }
    await next()
  }
  const client = (ctx: Context) => ctx.state.client as ChargeClient

  router.use(answerErrors)

  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi
  })

  router.post('/charges', auth, parse, async (ctx) => {
    const who = client(ctx)
    const body = validateBody<ChargeBody>('ChargeRequest', requireJson(ctx))
    const answer = await createCharge(deps.db, who, {
      externalId: body.externalId, payer: body.cabinet,
      amount: parseAmount(body.amount, deps.config.maxAmount),
      purpose: body.purpose.trim(), servedPerson: body.servedPerson.trim(),
    })
    ctx.state.logFields = { client: who.id, chargeId: answer.body.id, created: answer.created }
    send(ctx, answer, `/api/v1/charges/${answer.body.id}`)
  })

  router.get('/charges/:id', auth, async (ctx) => {
    const who = client(ctx)
    ctx.body = await getCharge(deps.db, who, chargeId(ctx.params.id))
  })

  router.post('/charges/:id/refunds', auth, parse, async (ctx) => {
    const who = client(ctx)
    const id = chargeId(ctx.params.id)
    const body = validateBody<RefundBody>('RefundRequest', requireJson(ctx))
    const answer = await refundCharge(deps.db, who, {
      chargeId: id, externalId: body.refundId,
      amount: body.amount === undefined ? undefined : parseAmount(body.amount),
      reason: body.reason?.trim(),
    })
    ctx.state.logFields = { client: who.id, chargeId: id.toString(), refundId: answer.body.id,
      created: answer.created }
    send(ctx, answer)
  })

  return router
}
