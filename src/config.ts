import { z } from 'zod'

/** Process configuration, read once from the environment and validated. */
export interface Config {
  databaseUrl: string
  redisUrl: string
  port: number
  host: string
  providersFile: string
  role: 'all' | 'gateway' | 'worker'
  logLevel: string
  publicUrl: string
  registryDriver: 'local' | 'http'
  registryUrl: string | undefined
  smsDriver: 'log' | 'http'
  smsUrl: string | undefined
  maxAmount: bigint
  trustProxy: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol)
    } catch {
      return false
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`)

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'])
    .default('postgres://postgres@127.0.0.1:5432/cabinet_gateway'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: z.string().regex(/^\d{1,5}$/, 'must be a port number').default('3000')
    .transform(Number).refine((p) => p < 65536, 'must be below 65536'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PROVIDERS_FILE: z.string().min(1).default('config/providers.json'),
  ROLE: z.enum(['all', 'gateway', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  REGISTRY_DRIVER: z.enum(['local', 'http']).default('local'),
  REGISTRY_URL: url(['http:', 'https:']).optional(),
  SMS_DRIVER: z.enum(['log', 'http']).default('log'),
  SMS_URL: url(['http:', 'https:']).optional(),
  MAX_AMOUNT: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'must be an amount like 5000.00')
    .default('5000.00'),
  TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('false'),
})

/** Reads and validates configuration; throws ConfigError naming each bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ')
    throw new ConfigError(`invalid configuration: ${problems}`)
  }
  const e = parsed.data
  if (e.REGISTRY_DRIVER === 'http' && !e.REGISTRY_URL) {
    throw new ConfigError('invalid configuration: REGISTRY_URL: required when REGISTRY_DRIVER=http')
  }
  if (e.SMS_DRIVER === 'http' && !e.SMS_URL) {
    throw new ConfigError('invalid configuration: SMS_URL: required when SMS_DRIVER=http')
  }
  const [whole, frac = ''] = e.MAX_AMOUNT.split('.')
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    host: e.HOST,
    providersFile: e.PROVIDERS_FILE,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    registryDriver: e.REGISTRY_DRIVER,
    registryUrl: e.REGISTRY_URL,
    smsDriver: e.SMS_DRIVER,
    smsUrl: e.SMS_URL,
    maxAmount: BigInt(whole ?? '0') * 100n + BigInt(frac.padEnd(2, '0')),
    trustProxy: e.TRUST_PROXY === '1' || e.TRUST_PROXY === 'true',
  }
}
