import type Router from '@koa/router'
import type { z } from 'zod'
import { ConfigError } from '../src/config.ts'
import type { AppContext } from '../src/context.ts'
import type { ProvidersFile } from '../src/providers.ts'
import { osmpAdapter } from './osmp/index.ts'
import { azericardAdapter } from './azericard/index.ts'
import { epointAdapter } from './epoint/index.ts'
import { sandboxAdapter } from './sandbox/index.ts'

/** A provider entry of the providers file, with its options checked by its adapter. */
export interface ConfiguredProvider<O> {
  id: string
  options: O
}

/**
 * The contract every protocol adapter meets. The core knows adapters only
 * through this record and never switches on a protocol name.
 */
export interface Adapter<O> {
  /** Validates one provider entry (the whole entry, `protocol` included). */
  options: z.ZodType<O>
  /** The routes serving every enabled provider configured with this protocol. */
  router(ctx: AppContext, providers: ConfiguredProvider<O>[]): Router
}

/** Protocol id (the `protocol` of a providers-file entry) → its adapter. */
export const adapters: Record<string, Adapter<unknown>> = {
  osmp: osmpAdapter,
  azericard: azericardAdapter,
  epoint: epointAdapter,
  sandbox: sandboxAdapter,
}

/**
 * Checks every enabled provider against its adapter's options; throws a
 * ConfigError naming the provider and the field. Returns them by protocol.
 */
export function configureProviders(file: ProvidersFile,
  registry: Record<string, Adapter<unknown>> = adapters)
  : Map<string, ConfiguredProvider<unknown>[]> {
  const byProtocol = new Map<string, ConfiguredProvider<unknown>[]>()
  for (const [id, entry] of Object.entries(file.providers)) {
    if (!entry.enabled) continue
    const adapter = registry[entry.protocol]
    if (!adapter) {
      throw new ConfigError(`providers file: providers.${id}.protocol: unknown protocol `
        + `"${entry.protocol}" (known: ${Object.keys(registry).join(', ')})`)
    }
    const parsed = adapter.options.safeParse(entry)
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `providers.${id}${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`)
      throw new ConfigError(`providers file: ${problems.join('; ')}`)
    }
    const list = byProtocol.get(entry.protocol) ?? []
    list.push({ id, options: parsed.data })
    byProtocol.set(entry.protocol, list)
  }
  return byProtocol
}

/** One router per protocol that has enabled providers. */
export function adapterRouters(ctx: AppContext): Router[] {
  return [...configureProviders(ctx.providers)]
    .map(([protocol, providers]) => (adapters[protocol] as Adapter<unknown>)
      .router(ctx, providers))
}
