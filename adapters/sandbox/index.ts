import { z } from 'zod'
import { httpUrl } from '../../src/cards/entry.ts'
import { cardNotifyRouter } from '../../src/cards/notify.ts'
import type { CardAdapter } from '../../src/cards/processor.ts'
import {
  azericardEntry, azericardProcessor, withKeys, type AzericardOptions,
} from '../azericard/index.ts'
import { devKeyFiles, ensureDevKeys } from './keys.ts'

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * A sandbox entry: Azericard's protocol with development keys (made on first
 * use, shared with `npm run sandbox`), on a loopback address only.
 */
export const sandboxOptions = azericardEntry.extend({
  label: z.string().min(1).max(40).default('Sandbox (test)'),
  terminal: z.string().regex(/^[0-9A-Za-z]{8}$/).default('SANDBOX1'),
  url: httpUrl.default('http://127.0.0.1:4010/cgi-bin/cgi_link')
    .refine((u) => loopbackHosts.has(new URL(u).hostname),
      'the sandbox processor runs on a loopback address only'),
  signing: z.literal('rsa').default('rsa'),
  merchantKey: z.string().min(1).default(devKeyFiles.merchantKey),
  gatewayKey: z.string().min(1).default(devKeyFiles.gatewayKey),
  merchantName: z.string().min(1).max(50).default('Sandbox'),
  merchantUrl: z.string().min(1).max(250).default('http://127.0.0.1'),
  statusWindowMinutes: z.number().int().positive().default(60),
  timeoutMs: z.number().int().positive().default(5_000),
}).transform((e, zctx) => {
  // The development keys are made on first use; keys configured elsewhere must exist.
  if (e.merchantKey === devKeyFiles.merchantKey || e.gatewayKey === devKeyFiles.gatewayKey) {
    ensureDevKeys()
  }
  return withKeys(e, zctx)
})

/** The registry entry of the sandbox processor (development and demos only). */
export const sandboxAdapter: CardAdapter<AzericardOptions> = {
  options: sandboxOptions,
  processor: azericardProcessor,
  router: (ctx, providers) => cardNotifyRouter(ctx,
    providers.map((p) => azericardProcessor(p.id, p.options, ctx))),
}
