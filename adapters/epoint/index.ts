import { z } from 'zod'
import { GatewayError } from '../../src/errors.ts'
import type { Logger } from '../../src/log.ts'
import { postForm } from '../../src/cards/http.ts'
import { httpUrl } from '../../src/cards/entry.ts'
import { loadKey, readSecret } from '../../src/cards/keys.ts'
import { cardNotifyRouter } from '../../src/cards/notify.ts'
import type {
  CallbackNotice, CardAdapter, CardProcessor, ProcessorOrder, ProcessorRefs, StatusResult,
} from '../../src/cards/processor.ts'
import { parseReportedAmount } from '../azericard/format.ts'
import { epointOutcome } from './codes.ts'
import { decodePayload, encodePayload, signedForm, verifyEpointSignature } from './sign.ts'

/** A providers-file entry for an Epoint merchant. */
export const epointEntry = z.object({
  label: z.string().min(1).max(40).default('Epoint'),
  publicKey: z.string().min(1, 'publicKey is required'),
  privateKey: z.string({ error: 'no key configured' }).min(1, 'no key configured'),
  baseUrl: httpUrl.default('https://epoint.az'),
  language: z.enum(['az', 'en', 'ru']).default('az'),
  description: z.string().min(1).max(1000).default('Şəxsi kabinetin artırılması'),
  statusWindowMinutes: z.number().int().positive().default(24 * 60),
  timeoutMs: z.number().int().positive().default(15_000),
}).loose()

export type EpointEntry = z.infer<typeof epointEntry>

export interface EpointOptions {
  entry: EpointEntry
  privateKey: string
}

/** The entry with its private key read (inline, through "env:NAME", or from a file). */
export const epointOptions = epointEntry.transform((e, zctx): EpointOptions => {
  const privateKey = loadKey(zctx, 'privateKey', () => readSecret(e.privateKey, /^[^/\\]{8,}$/))
  return privateKey ? { entry: e, privateKey } : z.NEVER
})

function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

function refsOf(body: Record<string, unknown>): ProcessorRefs {
  const transaction = str(body, 'transaction')
  const rrn = str(body, 'rrn')
  return { ...(transaction ? { transaction } : {}), ...(rrn ? { rrn } : {}) }
}

/** Reads a decoded status or callback payload; the order it names must be ours. */
export function readEpointResult(body: Record<string, unknown>, orderNumber?: string)
  : StatusResult & { orderNumber?: string; status?: string } {
  const status = str(body, 'status')
  const code = str(body, 'code')
  const named = str(body, 'order_id')
  const detail = `status=${status ?? '-'} code=${code ?? '-'}`
  if (orderNumber !== undefined && named !== undefined && named !== orderNumber) {
    return { outcome: 'pending', amount: null, currency: null, refs: {},
      detail: `${detail} names another order` }
  }
  return {
    outcome: epointOutcome(status, code),
    amount: parseReportedAmount(body.amount),
    currency: str(body, 'currency') ?? null,
    refs: refsOf(body),
    detail,
    ...(named ? { orderNumber: named } : {}),
    ...(status ? { status } : {}),
  }
}

/**
 * Epoint: the order is registered server to server, the payer goes to the
 * returned URL, callbacks are signed base64 JSON, get-status is authoritative.
 */
export function epointProcessor(id: string, options: EpointOptions, deps: { log: Logger })
  : CardProcessor {
  const { entry: e, privateKey } = options
  const log = deps.log.child({ component: 'epoint', provider: id })
  const base = e.baseUrl.replace(/\/+$/, '')

  async function call(op: string, order: string, fields: Record<string, string>,
    amount?: bigint): Promise<Record<string, unknown>> {
    const payload = { public_key: e.publicKey, language: e.language, ...fields }
    const form = signedForm(privateKey, encodePayload(payload, amount))
    const answer = await postForm(`${base}/api/1/${op}`, form, e.timeoutMs)
      .catch((err: unknown) => {
        log.warn({ op, order, err }, 'epoint did not answer')
        throw err
      })
    let body: unknown = null
    try {
      body = JSON.parse(answer.text)
    } catch {
      body = null
    }
    if (answer.status >= 300 || !body || typeof body !== 'object') {
      log.warn({ op, order, http: answer.status, ms: answer.ms }, 'epoint answer unreadable')
      throw new GatewayError('unavailable', `epoint ${op} answered HTTP ${answer.status}`)
    }
    const b = body as Record<string, unknown>
    log.info({ op, order, ms: answer.ms, status: str(b, 'status'), code: str(b, 'code') },
      'epoint answered')
    return b
  }

  async function status(order: ProcessorOrder) {
    if (!order.refs.transaction) {
      // Never registered (the request got no answer): the payer never reached the page.
      return { outcome: 'absent' as const, amount: null, currency: null, refs: {},
        detail: 'no epoint transaction' }
    }
    const body = await call('get-status', order.orderNumber,
      { transaction: order.refs.transaction })
    return readEpointResult(body, order.orderNumber)
  }

  return {
    id,
    label: e.label,
    statusWindowMs: e.statusWindowMinutes * 60_000,
    async begin(order, urls) {
      const body = await call('request', order.orderNumber, {
        currency: 'AZN', order_id: order.orderNumber, description: e.description,
        success_redirect_url: urls.orderUrl, error_redirect_url: urls.orderUrl,
      }, order.amount)
      const redirect = str(body, 'redirect_url')
      const transaction = str(body, 'transaction')
      if (str(body, 'status') !== 'success' || !redirect || !transaction) {
        throw new GatewayError('unavailable', 'epoint refused to register the order',
          { detail: `status=${str(body, 'status') ?? '-'}` })
      }
      const url = new URL(redirect)
      const fields = Object.fromEntries(url.searchParams)
      url.search = ''
      return { method: 'GET', action: url.toString(), fields, refs: { transaction } }
    },
    verifyCallback(body): CallbackNotice {
      if (typeof body.data !== 'string' || typeof body.signature !== 'string') {
        throw new GatewayError('unauthorized', 'callback carries no data and signature')
      }
      // Base64 has no spaces: a `+` a sender left unescaped arrives as one.
      const data = body.data.replace(/ /g, '+')
      const signature = body.signature.replace(/ /g, '+')
      if (!verifyEpointSignature(privateKey, data, signature)) {
        throw new GatewayError('unauthorized', 'callback signature does not verify')
      }
      const decoded = decodePayload(data)
      if (!decoded) throw new GatewayError('bad_request', 'callback data is not base64 JSON')
      const r = readEpointResult(decoded)
      if (!r.orderNumber) throw new GatewayError('bad_request', 'callback names no order_id')
      return { orderNumber: r.orderNumber, amount: r.amount, currency: r.currency,
        refs: r.refs, hint: r.outcome, detail: r.detail }
    },
    queryStatus: status,
    async reverse(order) {
      if (!order.refs.transaction) {
        throw new GatewayError('bad_request', 'a reversal needs the epoint transaction')
      }
      let reply = '-'
      try {
        const body = await call('reverse', order.orderNumber,
          { transaction: order.refs.transaction, currency: 'AZN' })
        reply = str(body, 'status') ?? '-'
      } catch (err) {
        if (!(err instanceof GatewayError) || err.code !== 'unavailable') throw err
      }
      const check = await status(order).catch(() => null)
      const detail = `reply=${reply} ${check?.detail ?? 'status unavailable'}`
      if (check?.status === 'returned') return { outcome: 'reversed', detail }
      if (reply === 'failed' || reply === 'error') return { outcome: 'refused', detail }
      return { outcome: 'unknown', detail }
    },
  }
}

/** The registry entry: options with the key loaded, processors, callback routes. */
export const epointAdapter: CardAdapter<EpointOptions> = {
  options: epointOptions,
  processor: epointProcessor,
  router: (ctx, providers) => cardNotifyRouter(ctx,
    providers.map((p) => epointProcessor(p.id, p.options, ctx))),
}
