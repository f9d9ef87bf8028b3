import type { Adapter } from '../index.ts'
import { osmpOptions, type OsmpOptions } from './options.ts'
import { osmpRouter } from './router.ts'

/** The OSMP family of terminal networks (QIWI-style check/pay/status, XML replies). */
export const osmpAdapter: Adapter<OsmpOptions> = {
  options: osmpOptions,
  router: (ctx, networks) => osmpRouter(ctx, networks),
}
