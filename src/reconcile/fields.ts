import { GatewayError } from '../errors.ts'
import { isGatewayError } from '../errors.ts'
import { parseAmount, type Qepik } from '../money.ts'
import { isCalendarDate } from './profile.ts'

/** One payment line of a provider's registry, as read from the file. */
export interface RegistryRecord {
  line: number
  externalId: string
  /** Provider-local wall time, `YYYY-MM-DD HH:MM:SS`; the zone is the profile's. */
  localTime: string
  account: string
  amount: Qepik
}

export type RegistryEvent =
  | { kind: 'record'; record: RegistryRecord }
  | { kind: 'malformed'; line: number; reason: string; text: string }
  | { kind: 'trailer'; line: number; count: bigint; sum: Qepik }

/** A fault in one line; the line is reported and the rest is still reconciled. */
export class LineFault extends Error {}

/** The file as a whole cannot be read (exit code 2). */
export function unreadable(reason: string): GatewayError {
  return new GatewayError('bad_request', `registry is unreadable: ${reason}`,
    { reason: 'unreadable' })
}

const txnIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/

export function txnId(raw: string | undefined): string {
  const v = (raw ?? '').trim()
  if (!txnIdPattern.test(v)) throw new LineFault(`transaction id "${show(v)}" is not valid`)
  return v
}

export function account(raw: string | undefined): string {
  const v = (raw ?? '').trim()
  // eslint-disable-next-line no-control-regex
  if (v === '' || v.length > 64 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new LineFault(`account "${show(v)}" is not valid`)
  }
  return v
}

export function amount(raw: string | undefined): Qepik {
  try {
    return parseAmount((raw ?? '').trim())
  } catch (err) {
    if (isGatewayError(err)) throw new LineFault(err.message)
    throw err
  }
}

/** A trailer's total: like an amount, but zero is allowed and it may be large. */
export function total(raw: string | undefined): Qepik {
  const v = (raw ?? '').trim()
  const m = /^(0|[1-9]\d{0,14})(?:\.(\d{1,2}))?$/.exec(v)
  if (!m) throw new LineFault(`total "${show(v)}" is not a decimal like 10.45`)
  return BigInt(m[1] ?? '0') * 100n + BigInt((m[2] ?? '').padEnd(2, '0'))
}

export function count(raw: string | undefined): bigint {
  const v = (raw ?? '').trim()
  if (!/^(0|[1-9]\d{0,11})$/.test(v)) throw new LineFault(`count "${show(v)}" is not a number`)
  return BigInt(v)
}

/** `DD.MM.YYYY` (QIWI) or `YYYY-MM-DD` plus `HH:MM:SS` → `YYYY-MM-DD HH:MM:SS`. */
export function localTime(date: string | undefined, time: string | undefined,
  dateStyle: 'dotted' | 'iso'): string {
  const d = (date ?? '').trim()
  const m = dateStyle === 'dotted'
    ? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(d)
    : /^(\d{4})-(\d{2})-(\d{2})$/.exec(d)
  const [year, month, day] = !m ? [] : dateStyle === 'dotted'
    ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]]
  if (!m || !isCalendarDate(Number(year), Number(month), Number(day))) {
    const like = dateStyle === 'dotted' ? '03.12.2026' : '2026-12-03'
    throw new LineFault(`date "${show(d)}" is not a date like ${like}`)
  }
  const t = (time ?? '').trim()
  if (!/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(t)) {
    throw new LineFault(`time "${show(t)}" is not a time like 23:59:59`)
  }
  return `${year}-${month}-${day} ${t}`
}

/** A line as shown in a report: at most 120 characters, control characters replaced. */
export function show(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '·')
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

export function faultReason(err: unknown): string {
  if (err instanceof LineFault) return err.message
  throw err
}
