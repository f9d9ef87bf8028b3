import { z } from 'zod'
import { GatewayError } from '../../src/errors.ts'
import type { Logger } from '../../src/log.ts'
import { postForm } from '../../src/cards/http.ts'
import { httpUrl } from '../../src/cards/entry.ts'
import { loadKey, readPrivateKey, readPublicKey, readSecret } from '../../src/cards/keys.ts'
import { cardNotifyRouter } from '../../src/cards/notify.ts'
import type {
  CardAdapter, CardProcessor, ProcessorOrder, ReversalResult, StatusResult,
} from '../../src/cards/processor.ts'
import { hmacScheme, legacyKey, rsaScheme, type MacScheme } from './mac.ts'
import {
  readCallback, readStatus, reversalRequest, saleRequest, statusRequest, trtype,
  type TerminalSettings,
} from './messages.ts'

/** A providers-file entry for an Azericard terminal, before its keys are read. */
export const azericardEntry = z.object({
  label: z.string().min(1).max(40).default('Azericard'),
  terminal: z.string().regex(/^[0-9A-Za-z]{8}$/, 'TERMINAL is 8 characters'),
  url: httpUrl.default('https://testmpi.3dsecure.az/cgi-bin/cgi_link'),
  signing: z.enum(['rsa', 'hmac']).default('rsa'),
  merchantKey: z.string().min(1, 'no key configured'),
  gatewayKey: z.string().optional(),
  merchantName: z.string().min(1).max(50),
  merchantUrl: z.string().min(1).max(250),
  description: z.string().min(1).max(50).default('Şəxsi kabinetin artırılması'),
  lang: z.string().length(2).default('AZ'),
  email: z.string().max(80).optional(),
  statusWindowMinutes: z.number().int().positive().default(24 * 60),
  timeoutMs: z.number().int().positive().default(15_000),
}).loose()

export type AzericardEntry = z.infer<typeof azericardEntry>

export interface AzericardOptions {
  entry: AzericardEntry
  settings: TerminalSettings
}

function scheme(e: AzericardEntry, zctx: z.RefinementCtx): MacScheme | undefined {
  if (e.signing === 'hmac') {
    return loadKey(zctx, 'merchantKey',
      () => hmacScheme(legacyKey(readSecret(e.merchantKey, /^[0-9A-Fa-f]+$/))))
  }
  const merchant = loadKey(zctx, 'merchantKey', () => readPrivateKey(e.merchantKey))
  const gateway = loadKey(zctx, 'gatewayKey', () => readPublicKey(e.gatewayKey))
  return merchant && gateway ? rsaScheme(merchant, gateway) : undefined
}

/** Reads the keys of a checked entry; a missing or unreadable key is an issue on its field. */
export function withKeys(e: AzericardEntry, zctx: z.RefinementCtx): AzericardOptions {
  const mac = scheme(e, zctx)
  if (!mac) return z.NEVER
  return {
    entry: e,
    settings: {
      terminal: e.terminal, scheme: mac, merchantName: e.merchantName,
      merchantUrl: e.merchantUrl, description: e.description, lang: e.lang,
      ...(e.email ? { email: e.email } : {}),
    },
  }
}

export const azericardOptions = azericardEntry.transform(withKeys)

/**
 * Azericard's CGI gateway: the browser posts a signed sale form, the result
 * comes back to BACKREF, and TRTYPE 90 is the authoritative status.
 */
export function azericardProcessor(
  id: string, options: AzericardOptions, deps: { log: Logger },
): CardProcessor {
  const { entry: e, settings: s } = options
  const log = deps.log.child({ component: 'azericard', provider: id })

  async function status(order: ProcessorOrder, of: string): Promise<StatusResult> {
    const answer = await postForm(e.url, statusRequest(s, order.orderNumber, of), e.timeoutMs)
      .catch((err: unknown) => {
        log.warn({ op: 'status', order: order.orderNumber, err }, 'status query failed')
        throw err
      })
    if (answer.status >= 300) {
      log.warn({ op: 'status', order: order.orderNumber, http: answer.status, ms: answer.ms },
        'status query answered with an HTTP error')
      throw new GatewayError('unavailable', `status query answered HTTP ${answer.status}`)
    }
    const result = readStatus(s, order.orderNumber, answer.text)
    log.info({ op: 'status', of, order: order.orderNumber, ms: answer.ms,
      outcome: result.outcome, detail: result.detail }, 'status query answered')
    return result
  }

  return {
    id,
    label: e.label,
    statusWindowMs: e.statusWindowMinutes * 60_000,
    async begin(order, urls) {
      return { method: 'POST', action: e.url, fields: saleRequest(s, order, urls.returnUrl),
        refs: {} }
    },
    verifyCallback: (body) => readCallback(s, body),
    queryStatus: (order) => status(order, trtype.sale),
    async reverse(order): Promise<ReversalResult> {
      let body = ''
      try {
        const answer = await postForm(e.url, reversalRequest(s, order), e.timeoutMs)
        body = answer.text.trim().slice(0, 40)
        log.info({ op: 'reversal', order: order.orderNumber, http: answer.status,
          ms: answer.ms, body }, 'reversal answered')
      } catch (err) {
        if (!(err instanceof GatewayError) || err.code !== 'unavailable') throw err
        log.warn({ op: 'reversal', order: order.orderNumber, err }, 'reversal not answered')
      }
      // The reply body is ambiguous (`0` or `1`): only TRTYPE 90 for the reversal tells.
      const check = await status(order, trtype.reversal).catch(() => null)
      const detail = `reply=${body || '-'} ${check ? check.detail : 'status unavailable'}`
      if (check?.outcome === 'paid') return { outcome: 'reversed', detail }
      if (check?.outcome === 'declined') return { outcome: 'refused', detail }
      return { outcome: 'unknown', detail }
    },
  }
}

/** The registry entry: options with keys loaded, processors, callback and return routes. */
export const azericardAdapter: CardAdapter<AzericardOptions> = {
  options: azericardOptions,
  processor: azericardProcessor,
  router: (ctx, providers) => cardNotifyRouter(ctx,
    providers.map((p) => azericardProcessor(p.id, p.options, ctx))),
}
