import { z } from 'zod'
import { ConfigError } from '../config.ts'

export const httpUrl = z.string().refine((v) => {
  try {
    return ['https:', 'http:'].includes(new URL(v).protocol)
  } catch {
    return false
  }
}, 'must be an http(s) URL')

/** Validates one processor's providers-file entry; a fault names the provider and field. */
export function parseEntry<S extends z.ZodType>(schema: S, id: string, entry: unknown): z.infer<S> {
  const parsed = schema.safeParse(entry)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`provider ${id}: ${problems.join('; ')}`)
  }
  return parsed.data
}
