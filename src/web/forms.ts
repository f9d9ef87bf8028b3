import { isGatewayError } from '../errors.ts'
import {
  checkPasswordStrength, parseDocumentParts, parseEmail, parseFin, parseMobile,
  type ParsedDocument,
} from '../payers/index.ts'
import { parseHomePhone } from './format.ts'
import { messages } from './messages.ts'

/** Field name → the sentence shown next to it; `form` is about the whole form. */
export type Errors = Record<string, string>

export const seriesOptions = [
  { value: '-', label: '- (yeni nəsil vəsiqə, AA…)' },
  { value: 'AZE', label: 'AZE (köhnə vəsiqə)' },
  { value: 'MYI', label: 'MYI (müvəqqəti yaşamaq icazəsi)' },
  { value: 'DYI', label: 'DYI (daimi yaşamaq icazəsi)' },
]
const seriesValues = new Set(seriesOptions.map((o) => o.value))

/** Picks the named fields, so a page never echoes anything it did not ask for. */
export function pick<K extends string>(fields: Record<string, string>, names: readonly K[])
  : Record<K, string> {
  return Object.fromEntries(names.map((n) => [n, fields[n] ?? ''])) as Record<K, string>
}

function rethrowUnlessFormat(err: unknown): void {
  if (!isGatewayError(err, 'account_format') && !isGatewayError(err, 'bad_request')) throw err
}

export function readDocument(
  form: { series: string; number: string },
  errors: Errors,
): ParsedDocument | null {
  if (!seriesValues.has(form.series)) {
    errors.series = messages.documentFormat
    return null
  }
  if (form.number.trim() === '') {
    errors.number = messages.required
    return null
  }
  try {
    return parseDocumentParts(form.series, form.number)
  } catch (err) {
    rethrowUnlessFormat(err)
    errors.number = messages.documentFormat
    return null
  }
}

export function readFin(value: string, errors: Errors): string | null {
  if (value.trim() === '') {
    errors.fin = messages.required
    return null
  }
  try {
    return parseFin(value)
  } catch (err) {
    rethrowUnlessFormat(err)
    errors.fin = messages.finFormat
    return null
  }
}

/** A new password and its repeat, checked by the payers' rules. */
export function readNewPassword(
  form: { password: string; password2: string },
  errors: Errors,
): string | null {
  try {
    checkPasswordStrength(form.password)
  } catch (err) {
    rethrowUnlessFormat(err)
    errors.password = messages.weakPassword
    return null
  }
  if (form.password !== form.password2) {
    errors.password2 = messages.passwordsDiffer
    return null
  }
  return form.password
}

type Parser = (value: string) => string

function readOptional(
  value: string,
  name: string,
  parse: Parser,
  message: string,
  errors: Errors,
): string | null {
  if (value.trim() === '') return null
  try {
    return parse(value)
  } catch (err) {
    rethrowUnlessFormat(err)
    errors[name] = message
    return null
  }
}

export const readMobile = (value: string, errors: Errors, name = 'mobile') =>
  readOptional(value, name, parseMobile, messages.mobileFormat, errors)

export const readEmail = (value: string, errors: Errors) =>
  readOptional(value, 'email', parseEmail, messages.emailFormat, errors)

export function readHomePhone(value: string, errors: Errors): string | null {
  if (value.trim() === '') return null
  const phone = parseHomePhone(value)
  if (phone === null) errors.homePhone = messages.homePhoneFormat
  return phone
}

/** Free text up to `max` characters, single-spaced; empty is null. */
export function readText(value: string, name: string, max: number, errors: Errors)
  : string | null {
  const text = value.trim().replace(/\s+/g, ' ')
  if (text.length > max) errors[name] = messages.tooLong
  return text === '' || text.length > max ? null : text
}
