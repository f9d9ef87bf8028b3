import { z } from 'zod'
import { GatewayError } from '../errors.ts'
import { DateTime } from 'luxon'
import type { ProvidersFile } from '../providers.ts'

export const registryFormats = ['qiwi-tsv', 'csv', 'xml'] as const
export type RegistryFormat = (typeof registryFormats)[number]

/**
 * How one provider's daily registry is written: its format, the zone its
 * times are in (the provider's own zone unless said otherwise), the local
 * time at which its business day ends, and the file's text encoding.
 */
export interface RegistryProfile {
  provider: string
  format: RegistryFormat
  timeZone: string
  cutoff: string
  encoding: string
}

/** The `registry` option of a provider entry; protocol schemas can embed it. */
export const registryOption = z.object({
  format: z.enum(registryFormats).default('qiwi-tsv'),
  // No default here: absent means the provider's own zone.
  timeZone: z.string().refine((zone) => DateTime.now().setZone(zone).isValid,
    'is not a known IANA time zone').optional(),
  cutoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time like 23:00')
    .default('00:00'),
  encoding: z.string().default('utf-8').refine(isKnownEncoding, 'is not a known text encoding'),
}).strict()

function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label)
    return true
  } catch {
    return false
  }
}

/** Reads the `registry` option of a provider entry, with defaults when it is absent. */
export function registryProfile(
  file: ProvidersFile,
  provider: string,
  override: { format?: string } = {},
): RegistryProfile {
  const entry = file.providers[provider]
  if (!entry) {
    const known = Object.keys(file.providers).sort().join(', ') || 'none'
    throw new GatewayError('bad_request', `unknown provider "${provider}" (known: ${known})`)
  }
  const parsed = registryOption.safeParse((entry as { registry?: unknown }).registry ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new GatewayError('bad_request',
      `provider ${provider}: registry option: ${problems.join('; ')}`)
  }
  const format = override.format ?? parsed.data.format
  if (!(registryFormats as readonly string[]).includes(format)) {
    throw new GatewayError('bad_request',
      `unknown registry format "${format}" (known: ${registryFormats.join(', ')})`)
  }
  return {
    provider,
    format: format as RegistryFormat,
    timeZone: parsed.data.timeZone ?? entry.timeZone,
    cutoff: parsed.data.cutoff,
    encoding: parsed.data.encoding,
  }
}

/** Checks an operator's `--date` and returns it as given (YYYY-MM-DD). */
export function parseDay(raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw)
  if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new GatewayError('bad_request', `date "${raw}" is not a day like 2026-12-03`)
  }
  return raw
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1) return false
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  return day <= (days[month - 1] ?? 0)
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}
