import type { Db } from '../db.ts'
import { createCabinet } from './cabinets.ts'
import { personRow, type Person } from './person.ts'
import { localRegistry } from './registry.ts'

/** A valid, distinct registry person for each n (document `AA` + n, a FIN from n). */
export function makePerson(n: number, overrides: Partial<Person> = {}): Person {
  const digits = String(n).padStart(7, '0')
  return {
    document: `AA${digits}`, series: '-', documentNumber: `AA${digits}`,
    fin: `T${n.toString(36).toUpperCase().padStart(6, '0')}`,
    surname: 'MƏMMƏDOV', name: 'İLQAR', patronymic: 'RAMİZ OĞLU', sex: 'male',
    birthDate: '1990-06-15', citizenship: 'AZE', district: 'Nəsimi',
    address: 'Bakı şəh. Nəsimi ray.', ...overrides,
  }
}

/** Puts people into the local registry table. */
export async function seedPeople(db: Db, people: Person[]): Promise<void> {
  if (people.length === 0) return
  await db('people').insert(people.map(personRow)).onConflict('document').merge()
}

/**
 * A registered cabinet for person n (seeded into the local registry first),
 * with the password `Parol2026`.
 */
export async function makeCabinet(db: Db, n: number, overrides: Partial<Person> = {})
  : Promise<{ id: bigint; number: bigint; person: Person }> {
  const person = makePerson(n, overrides)
  await seedPeople(db, [person])
  const cabinet = await createCabinet(db, localRegistry(db),
    { document: person.document, fin: person.fin, password: 'Parol2026' })
  return { ...cabinet, person }
}
