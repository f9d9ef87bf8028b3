import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { Context } from 'koa'
import type { AppContext } from '../../src/context.ts'
import { GatewayError, isGatewayError, isTransientDbError } from '../../src/errors.ts'
import { commandOf, commands, type Network } from './commands.ts'
import { explainedCodes, resultFor } from './codes.ts'
import { basicAuthOk, ipAllowed } from './guard.ts'
import { renderReply, replyFor, xmlContentType, type OsmpReply } from './reply.ts'
import { collectParams, txnIdOf, type OsmpParams } from './request.ts'

/** Every OSMP answer is HTTP 200 with a result code, except the gate's 404 and 403. */
function toReply(err: unknown, net: Network, c: Context): OsmpReply {
  if (isGatewayError(err)) {
    const result = err.code === 'payment_mismatch' ? net.options.mismatchResult
      : resultFor[err.code]
    if (err.retryable) c.state.logFields.reason = err.message
    return replyFor(result, explainedCodes.has(err.code) ? err.message : undefined)
  }
  // Unknown faults are non-fatal: the payment may have been taken.
  c.state.logFields.reason = isTransientDbError(err) ? 'database unavailable' : 'internal'
  if (!isTransientDbError(err)) c.state.error = err
  return replyFor(1)
}

function refuse(c: Context, status: 403 | 404, outcome: string): void {
  c.status = status
  c.body = status === 404 ? 'unknown network\n' : 'forbidden\n'
  c.state.outcome = outcome
}

/**
 * `GET|POST /terminal/:network`: the OSMP family (QIWI-style check/pay/status
 * with XML replies). The network is looked up, then its source address and
 * credentials are checked before anything touches the database.
 */
export function osmpRouter(ctx: AppContext, networks: readonly Network[]): Router {
  const byId = new Map(networks.map((n) => [n.id, n]))
  const log = ctx.log.child({ component: 'osmp' })
  const router = new Router()

  const gate = async (c: Context, next: () => Promise<unknown>) => {
    const net = byId.get(String(c.params.network))
    if (!net) return refuse(c, 404, 'unknown_network')
    c.state.logFields = { network: net.id }
    if (!ipAllowed(c.ip, net.options.allow)) {
      log.warn({ network: net.id, ip: c.ip }, 'terminal call from an address not allowed')
      return refuse(c, 403, 'ip_refused')
    }
    if (net.options.basicAuth
      && !basicAuthOk(c.get('authorization'), net.options.basicAuth)) {
      log.warn({ network: net.id, ip: c.ip }, 'terminal call with wrong credentials')
      return refuse(c, 403, 'auth_refused')
    }
    c.state.network = net
    await next()
  }

  const handle = async (c: Context) => {
    const net = c.state.network as Network
    let params: OsmpParams = {}
    let reply: OsmpReply
    try {
      if (c.state.bodyError) throw new GatewayError('bad_request', 'body is not a valid form')
      params = collectParams(c.query, c.request.body)
      const command = commandOf(params)
      c.state.logFields.command = command
      reply = await commands[command](ctx, net, params)
    } catch (err) {
      reply = toReply(err, net, c)
    }
    const txnId = txnIdOf(params)
    Object.assign(c.state.logFields, { txnId, result: reply.result, prvTxn: reply.prvTxn })
    c.state.outcome = `osmp:${reply.result}`
    c.status = 200
    c.body = renderReply(reply, txnId, net.options.replyName)
    c.set('Content-Type', xmlContentType)
  }

  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb',
    onError: (err, c) => {
      c.state.bodyError = err
    } })
  router.get('/terminal/:network', gate, handle)
  router.post('/terminal/:network', gate, form, handle)
  return router
}
