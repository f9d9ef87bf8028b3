import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { openCabinetAccount } from '../ledger/index.ts'
import { parseEmail, parseMobile } from './contact.ts'
import { cabinetNumberFromBase, parseDocument, parseFin } from './formats.ts'
import { checkPasswordStrength, hashPassword } from './password.ts'
import type { Person } from './person.ts'
import type { PopulationRegistry } from './registry.ts'

export interface NewCabinet {
  document: string
  fin: string
  password: string
  mobile?: string
  email?: string
}

/** A cabinet with the snapshot of its holder's registry data. */
export interface Cabinet extends Person {
  id: bigint
  number: bigint
  mobile: string | null
  email: string | null
  blocked: boolean
  createdAt: Date
}

const uniqueConstraints = new Set(['cabinets_fin_unique', 'cabinets_document_unique'])

function alreadyRegistered(): GatewayError {
  return new GatewayError('conflict', 'a cabinet is already registered for this person',
    { reason: 'already_registered' })
}

/**
 * Opens a cabinet for a person in the registry whose FIN matches, with the
 * next cabinet number and its ledger account. The registry is asked before
 * the transaction starts, so a slow registry never holds a connection open.
 */
export async function createCabinet(
  db: Db,
  registry: PopulationRegistry,
  input: NewCabinet,
): Promise<{ id: bigint; number: bigint }> {
  const doc = parseDocument(input.document)
  const fin = parseFin(input.fin)
  checkPasswordStrength(input.password)
  const mobile = input.mobile ? parseMobile(input.mobile) : null
  const email = input.email ? parseEmail(input.email) : null

  const person = await registry.findByDocument(doc.document)
  if (!person) {
    throw new GatewayError('payer_not_found', 'the document is not in the population registry')
  }
  if (person.fin !== fin) {
    throw new GatewayError('bad_request', 'FIN does not match the document',
      { reason: 'fin_mismatch' })
  }
  // Cheap early answer; the unique constraints still decide under concurrency.
  const taken = await db('cabinets').where({ fin }).orWhere({ document: person.document })
    .first('id')
  if (taken) throw alreadyRegistered()

  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction(async (trx) => {
      const number = await nextCabinetNumber(trx)
      const [row] = await trx('cabinets').insert({
        number, document_series: person.series, document_number: person.documentNumber,
        document: person.document, fin: person.fin, surname: person.surname,
        name: person.name, patronymic: person.patronymic, sex: person.sex,
        birth_date: person.birthDate, citizenship: person.citizenship,
        district: person.district, address: person.address, mobile, email,
        password_hash: passwordHash,
      }).returning('id')
      const id = (row as { id: bigint }).id
      await openCabinetAccount(trx, id)
      return { id, number }
    })
  } catch (err) {
    const pgErr = err as { code?: string; constraint?: string }
    if (pgErr.code === '23505' && uniqueConstraints.has(pgErr.constraint ?? '')) {
      throw alreadyRegistered()
    }
    throw err
  }
}

/** Takes the next base from the sequence and appends its Damm check digit. */
export async function nextCabinetNumber(trx: Db | Trx): Promise<bigint> {
  const { rows } = await trx.raw(`select nextval('cabinet_number_base_seq') as base`)
  return cabinetNumberFromBase((rows as Array<{ base: bigint }>)[0]!.base)
}

export type CabinetKey = { id: bigint } | { number: bigint } | { document: string }

/** The cabinet with this id, number or canonical document, or null. */
export async function findCabinet(db: Db | Trx, key: CabinetKey): Promise<Cabinet | null> {
  const row = await db('cabinets').where(key)
    .first('*', db.raw(`to_char(birth_date, 'YYYY-MM-DD') as birth_day`))
  if (!row) return null
  return {
    id: row.id, number: row.number, document: row.document, series: row.document_series,
    documentNumber: row.document_number, fin: row.fin, surname: row.surname, name: row.name,
    patronymic: row.patronymic, sex: row.sex, birthDate: row.birth_day,
    citizenship: row.citizenship, district: row.district, address: row.address,
    mobile: row.mobile, email: row.email, blocked: row.blocked, createdAt: row.created_at,
  }
}

/** Blocks a cabinet; answers false when it was blocked already. Throws 'payer_not_found'. */
export function blockCabinet(db: Db | Trx, cabinetId: bigint): Promise<boolean> {
  return setBlocked(db, cabinetId, true)
}

/** Unblocks a cabinet; answers false when it was not blocked. Throws 'payer_not_found'. */
export function unblockCabinet(db: Db | Trx, cabinetId: bigint): Promise<boolean> {
  return setBlocked(db, cabinetId, false)
}

async function setBlocked(db: Db | Trx, cabinetId: bigint, blocked: boolean)
  : Promise<boolean> {
  const changed = await db('cabinets').where({ id: cabinetId, blocked: !blocked })
    .update({ blocked, updated_at: db.fn.now() })
  if (changed > 0) return true
  const exists = await db('cabinets').where({ id: cabinetId }).first('id')
  if (!exists) throw new GatewayError('payer_not_found', `cabinet id ${cabinetId} does not exist`)
  return false
}
