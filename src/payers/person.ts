import { GatewayError } from '../errors.ts'
import { parseDocument, parseFin, type DocumentSeries } from './formats.ts'
import type { PersonName } from './names.ts'

/** A person as the population registry knows them. */
export interface Person extends PersonName {
  document: string
  series: DocumentSeries
  documentNumber: string
  fin: string
  sex: 'male' | 'female'
  /** Calendar date, `YYYY-MM-DD`. */
  birthDate: string
  /** ISO 3166-1 alpha-3, e.g. `AZE`. */
  citizenship: string
  district: string
  address: string
}

/** Field names as the registry file and the registry service spell them. */
export const personFields = [
  'document', 'fin', 'surname', 'name', 'patronymic', 'sex', 'birth_date', 'citizenship',
  'district', 'address',
] as const
export type PersonField = (typeof personFields)[number]
export type RawPerson = Partial<Record<PersonField, unknown>>

const optional = new Set(['patronymic', 'district', 'address'])

/**
 * Validates a registry record, naming the first field that is wrong. Throws
 * GatewayError 'bad_request' (details.field) or 'account_format'.
 */
export function toPerson(raw: RawPerson, today = new Date()): Person {
  const text: Record<string, string> = {}
  for (const field of personFields) {
    const value = raw[field] ?? ''
    if (typeof value !== 'string') throw invalid(field, `${field} must be text`)
    const v = value.trim().replace(/\s+/g, ' ')
    if (v === '' && !optional.has(field)) throw invalid(field, `${field} is empty`)
    if (v.length > 200) throw invalid(field, `${field} is longer than 200 characters`)
    if (/\p{Cc}/u.test(value.replace(/[\t\r\n]/g, ''))) {
      throw invalid(field, `${field} contains control characters`)
    }
    text[field] = v
  }
  const doc = parseDocument(text.document!)
  const fin = parseFin(text.fin!)
  for (const field of ['surname', 'name', 'patronymic'] as const) {
    if (text[field] !== '' && !/\p{L}/u.test(text[field]!)) {
      throw invalid(field, `${field} has no letters`)
    }
  }
  const sex = text.sex!.toLowerCase()
  if (sex !== 'male' && sex !== 'female') throw invalid('sex', 'sex must be male or female')
  const citizenship = text.citizenship!.toUpperCase()
  if (!/^[A-Z]{3}$/.test(citizenship)) {
    throw invalid('citizenship', 'citizenship must be a 3-letter country code such as AZE')
  }
  return {
    document: doc.document, series: doc.series, documentNumber: doc.number, fin,
    surname: text.surname!, name: text.name!, patronymic: text.patronymic!, sex,
    birthDate: birthDate(text.birth_date!, today), citizenship,
    district: text.district!, address: text.address!,
  }
}

function birthDate(value: string, today: Date): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
  if (!m || !date || date.toISOString().slice(0, 10) !== value) {
    throw invalid('birth_date', 'birth_date must be a calendar date like 1990-06-15')
  }
  if (date.getUTCFullYear() < 1900 || date > today) {
    throw invalid('birth_date', 'birth_date must be between 1900-01-01 and today')
  }
  return value
}

function invalid(field: string, message: string): GatewayError {
  return new GatewayError('bad_request', message, { field })
}

/** The `people` table row for a person (the local registry). */
export function personRow(p: Person): Record<PersonField, string> {
  return {
    document: p.document, fin: p.fin, surname: p.surname, name: p.name,
    patronymic: p.patronymic, sex: p.sex, birth_date: p.birthDate,
    citizenship: p.citizenship, district: p.district, address: p.address,
  }
}
