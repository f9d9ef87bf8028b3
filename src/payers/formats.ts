import { GatewayError } from '../errors.ts'
import { dammInterim } from './damm.ts'

export type DocumentSeries = '-' | 'AZE' | 'MYI' | 'DYI'

/** An identity document in canonical form: `document` is series and number together. */
export interface ParsedDocument {
  series: DocumentSeries
  number: string
  document: string
}

// Cyrillic letters that look like Latin ones on a keyboard or a printed card.
const lookAlikes: Record<string, string> = {
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y',
  Х: 'X', а: 'A', в: 'B', е: 'E', к: 'K', м: 'M', н: 'H', о: 'O', р: 'P', с: 'C', т: 'T',
  у: 'Y', х: 'X',
  // An Azerbaijani keyboard types İ and ı where the card prints I (MYI, DYI).
  İ: 'I', ı: 'I',
}
const lookAlikePattern = new RegExp(`[${Object.keys(lookAlikes).join('')}]`, 'gu')
// Spaces of every kind (\s covers NBSP), and hyphens, dashes and the minus sign.
const separators = /[\s\u200b\u2010-\u2015\u2212-]/gu

/** What a caller may hand over: a missing or repeated query parameter reads as empty. */
export type RefInput = string | null | undefined

/**
 * Normalises a typed payer reference: trims, drops inner spaces and dashes,
 * maps Cyrillic look-alikes to Latin and upper-cases. It validates nothing.
 */
export function normaliseRef(input: RefInput): string {
  return (typeof input === 'string' ? input : '')
    .replace(separators, '')
    .replace(lookAlikePattern, (ch) => lookAlikes[ch] ?? ch)
    .toUpperCase()
}

// Residence permits carry 7 or 8 digits; the samples we hold have 7.
const documentRules: ReadonlyArray<{ pattern: RegExp; series: DocumentSeries; rule: string }> = [
  { pattern: /^AA\d{7}$/, series: '-', rule: 'AA and 7 digits' },
  { pattern: /^AZE\d{8}$/, series: 'AZE', rule: 'AZE and 8 digits' },
  { pattern: /^MYI\d{7,8}$/, series: 'MYI', rule: 'MYI and 7 or 8 digits' },
  { pattern: /^DYI\d{7,8}$/, series: 'DYI', rule: 'DYI and 7 or 8 digits' },
]
const documentHelp = 'an ID card is AA and 7 digits (new) or AZE and 8 digits (old); '
  + 'a residence permit is MYI or DYI and 7 or 8 digits'

/**
 * Parses an identity document number such as `AA0123456` or `AZE12345678`.
 * Leading zeros are part of the number and kept. Throws 'account_format' with
 * a message that names the rule but not the number (it may reach a log).
 */
export function parseDocument(input: RefInput): ParsedDocument {
  const ref = normaliseRef(input)
  if (ref === '') throw formatError('document number is empty')
  for (const { pattern, series, rule } of documentRules) {
    if (pattern.test(ref)) {
      const number = series === '-' ? ref : ref.slice(series.length)
      return { series, number, document: ref }
    }
    const prefix = series === '-' ? 'AA' : series
    if (ref.startsWith(prefix)) {
      throw formatError(`document number must be ${rule}`)
    }
  }
  throw formatError(`document number is not recognised: ${documentHelp}`)
}

/**
 * Parses a document as a registration form holds it: series `-` with the
 * 9-character number `AA0123456`, or `AZE`/`MYI`/`DYI` with the digits. The
 * series may also be repeated inside the number (`AZE` + `AZE12345678`), and
 * `AA` + `0123456` is read as the new-generation card `AA0123456`.
 */
export function parseDocumentParts(series: RefInput, number: RefInput): ParsedDocument {
  const s = normaliseRef(series)
  const n = normaliseRef(number)
  if (n === '') throw formatError('document number is empty')
  const parsed = parseDocument(s === '' || n.startsWith(s) ? n : s + n)
  // A blank series (the form's "-") accepts any complete number.
  if (s !== '' && parsed.series !== (s === 'AA' ? '-' : s)) {
    throw formatError(`document series ${shown(s)} does not match the number`)
  }
  return parsed
}

/** Parses a FIN: exactly 7 characters, digits and Latin capitals. Throws 'account_format'. */
export function parseFin(input: RefInput): string {
  const fin = normaliseRef(input)
  if (!/^[0-9A-Z]{7}$/.test(fin)) {
    throw formatError('FIN must be 7 characters: digits and Latin capital letters')
  }
  return fin
}

// Up to 18 digits keeps every number inside a Postgres bigint.
const cabinetPattern = /^[1-9]\d{1,17}$/

/** The Damm check digit appended to a cabinet number's base. */
export function cabinetCheckDigit(base: bigint): number {
  if (base <= 0n) throw new RangeError('a cabinet number base must be positive')
  return dammInterim(base.toString())
}

/** Builds a full cabinet number from a sequence value: base followed by its check digit. */
export function cabinetNumberFromBase(base: bigint): bigint {
  return base * 10n + BigInt(cabinetCheckDigit(base))
}

/**
 * Parses a cabinet number: digits only, no leading zero (`000123` is a wrong
 * format, not `123`), ending in a valid Damm check digit. Throws 'account_format'.
 */
export function parseCabinetNumber(input: RefInput): bigint {
  const ref = normaliseRef(input)
  if (ref === '') throw formatError('cabinet number is empty')
  if (!/^\d+$/.test(ref)) throw formatError('cabinet number must contain digits only')
  if (ref.startsWith('0')) throw formatError('cabinet number must not start with 0')
  if (!cabinetPattern.test(ref)) throw formatError('cabinet number must have 2 to 18 digits')
  if (dammInterim(ref) !== 0) {
    throw formatError(`cabinet number ${ref} has a wrong check digit (mistyped?)`)
  }
  return BigInt(ref)
}

function formatError(message: string): GatewayError {
  return new GatewayError('account_format', message)
}

// Echoes a typed series, never a document number: those are personal data.
function shown(series: string): string {
  return series.length > 3 ? `"${series.slice(0, 3)}…"` : `"${series}"`
}
