import { adapters, configureProviders, type Adapter } from '../../adapters/index.ts'
import type { Logger } from '../log.ts'
import type { ProvidersFile } from '../providers.ts'
import { isCardAdapter, type CardProcessor } from './processor.ts'

const built = new WeakMap<ProvidersFile, Map<string, CardProcessor>>()

/**
 * Every enabled card processor of the providers file, by provider id, in file
 * order. Building one loads its keys, so a missing key throws ConfigError here
 * (and in `configureProviders`, which the process runs before it starts).
 */
export function cardProcessors(
  ctx: { providers: ProvidersFile; log: Logger },
  registry: Record<string, Adapter<unknown>> = adapters,
): Map<string, CardProcessor> {
  const cached = built.get(ctx.providers)
  if (cached && registry === adapters) return cached
  const out = new Map<string, CardProcessor>()
  for (const [protocol, providers] of configureProviders(ctx.providers, registry)) {
    const adapter = registry[protocol]
    if (!adapter || !isCardAdapter(adapter)) continue
    for (const p of providers) out.set(p.id, adapter.processor(p.id, p.options, ctx))
  }
  // File order, so the pay page lists processors as the operator wrote them.
  const ordered = new Map([...out].sort(([a], [b]) =>
    ids(ctx.providers).indexOf(a) - ids(ctx.providers).indexOf(b)))
  if (registry === adapters) built.set(ctx.providers, ordered)
  return ordered
}

function ids(file: ProvidersFile): string[] {
  return Object.keys(file.providers)
}
