import type { Db } from '../db.ts'
import type { Cabinet, ParsedDocument, PopulationRegistry } from '../payers/index.ts'

/** The contact fields a holder edits, as stored. */
export interface Contacts {
  actualDistrict: string | null
  actualAddress: string | null
  homePhone: string | null
  mobile: string | null
  mobileConfirmed: boolean
  email: string | null
}

export async function readContacts(db: Db, cabinetId: bigint): Promise<Contacts> {
  const row = await db('cabinets').where({ id: cabinetId }).first(
    'actual_district', 'actual_address', 'home_phone', 'mobile', 'mobile_confirmed_at', 'email')
  return {
    actualDistrict: row?.actual_district ?? null,
    actualAddress: row?.actual_address ?? null,
    homePhone: row?.home_phone ?? null,
    mobile: row?.mobile ?? null,
    mobileConfirmed: Boolean(row?.mobile && row.mobile_confirmed_at),
    email: row?.email ?? null,
  }
}

export async function saveContacts(
  db: Db,
  cabinetId: bigint,
  c: Pick<Contacts, 'actualDistrict' | 'actualAddress' | 'homePhone' | 'email'>,
): Promise<void> {
  await db('cabinets').where({ id: cabinetId }).update({
    actual_district: c.actualDistrict, actual_address: c.actualAddress,
    home_phone: c.homePhone, email: c.email, updated_at: db.fn.now(),
  })
}

/** Stores a mobile number the holder proved with an SMS code. */
export async function confirmMobile(db: Db, cabinetId: bigint, phone: string): Promise<void> {
  await db('cabinets').where({ id: cabinetId })
    .update({ mobile: phone, mobile_confirmed_at: db.fn.now(), updated_at: db.fn.now() })
}

export async function removeMobile(db: Db, cabinetId: bigint): Promise<void> {
  await db('cabinets').where({ id: cabinetId })
    .update({ mobile: null, mobile_confirmed_at: null, updated_at: db.fn.now() })
}

export async function storedPasswordHash(db: Db, cabinetId: bigint): Promise<string | null> {
  const row = await db('cabinets').where({ id: cabinetId }).first('password_hash')
  return (row?.password_hash as string | null | undefined) ?? null
}

export async function setPasswordHash(db: Db, cabinetId: bigint, hash: string): Promise<void> {
  await db('cabinets').where({ id: cabinetId })
    .update({ password_hash: hash, updated_at: db.fn.now() })
}

/** Whether a cabinet exists for this document or this FIN. */
export async function isRegistered(db: Db, document: string, fin: string): Promise<boolean> {
  return Boolean(await db('cabinets').where({ fin }).orWhere({ document }).first('id'))
}

export type RefreshOutcome = 'refreshed' | 'not_found' | 'other_person' | 'taken'

/**
 * "My document was renewed": takes the person the registry holds for the new
 * document and, when it is the same person (same FIN), stores the document
 * and the registry's current personal data on the cabinet.
 */
export async function refreshFromRegistry(
  db: Db,
  registry: PopulationRegistry,
  cabinet: Pick<Cabinet, 'id' | 'fin'>,
  doc: ParsedDocument,
): Promise<RefreshOutcome> {
  const person = await registry.findByDocument(doc.document)
  if (!person) return 'not_found'
  if (person.fin !== cabinet.fin) return 'other_person'
  try {
    await db('cabinets').where({ id: cabinet.id }).update({
      document_series: person.series, document_number: person.documentNumber,
      document: person.document, surname: person.surname, name: person.name,
      patronymic: person.patronymic, sex: person.sex, birth_date: person.birthDate,
      citizenship: person.citizenship, district: person.district, address: person.address,
      updated_at: db.fn.now(),
    })
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return 'taken'
    throw err
  }
  return 'refreshed'
}
