import { readFileSync } from 'node:fs'
import { DateTime } from 'luxon'
import { z } from 'zod'
import { ConfigError } from './config.ts'

/**
 * The providers file: terminal networks, card processors and the centre's
 * service clients. A string "env:NAME" anywhere in it is replaced by that
 * environment variable, so secrets stay out of the file.
 */
export const timeZone = z.string().default('Asia/Baku').refine(
  (zone) => DateTime.now().setZone(zone).isValid, 'is not a known IANA time zone')

export const providerBase = z.object({
  protocol: z.string().min(1),
  enabled: z.boolean().default(true),
  timeZone,
}).loose()

export const serviceClient = z.object({
  token: z.string().min(16, 'token must be at least 16 characters'),
  name: z.string().min(1).optional(),
  revenueAccount: z.string().regex(/^[a-z0-9_-]{1,40}$/).optional(),
})

const fileSchema = z.object({
  providers: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'provider ids are lower-case'),
    providerBase),
  clients: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), serviceClient).default({}),
}).strict()

export type ProvidersFile = z.infer<typeof fileSchema>
export type ProviderEntry = z.infer<typeof providerBase>

function resolveEnv(value: unknown, where: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) {
    const name = value.slice(4)
    const found = env[name]
    if (found === undefined || found === '') {
      throw new ConfigError(`providers file: ${where}: environment variable ${name} is not set`)
    }
    return found
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, `${where}[${i}]`, env))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(
      ([k, v]) => [k, resolveEnv(v, where ? `${where}.${k}` : k, env)]))
  }
  return value
}

/** Reads, resolves and validates the providers file; throws ConfigError naming the fault. */
export function loadProvidersFile(file: string, env = process.env): ProvidersFile {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ConfigError(`providers file ${file}: ${(err as Error).message}`)
  }
  const enabledOnly = raw && typeof raw === 'object' ? filterDisabled(raw) : raw
  const parsed = fileSchema.safeParse(resolveEnv(enabledOnly, '', env))
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`providers file ${file}: ${problems.join('; ')}`)
  }
  return parsed.data
}

// A disabled provider may leave its secrets unset: its "env:" values are
// dropped instead of resolved, and the rest (time zone, registry) is kept.
function filterDisabled(raw: object): object {
  const copy = { ...(raw as Record<string, unknown>) }
  const providers = copy.providers
  if (providers && typeof providers === 'object') {
    copy.providers = Object.fromEntries(Object.entries(providers).map(([id, p]) =>
      [id, p && typeof p === 'object' && (p as { enabled?: unknown }).enabled === false
        ? withoutEnvRefs(p)
        : p]))
  }
  return copy
}

function withoutEnvRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !isEnvRef(v)).map(withoutEnvRefs)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => !isEnvRef(v)).map(([k, v]) => [k, withoutEnvRefs(v)]))
  }
  return value
}

function isEnvRef(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('env:')
}
