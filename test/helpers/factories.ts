import { randomInt } from 'node:crypto'
import type { Db } from '../../src/db.ts'
import { openCabinetAccount } from '../../src/ledger/index.ts'

let serial = 0

/** A cabinet row with its account, bypassing the registry: for ledger tests. */
export async function cabinetFactory(
  db: Db,
  overrides: Record<string, unknown> = {},
): Promise<{ id: bigint; number: bigint; accountId: bigint }> {
  serial += 1
  const n = `${process.pid % 1000}${serial}${randomInt(1000)}`.padStart(7, '0').slice(-7)
  return db.transaction(async (trx) => {
    const [row] = await trx('cabinets').insert({
      number: BigInt(9_000_000 + serial * 10 + randomInt(10)) + BigInt(randomInt(1e6)) * 100n,
      document_series: '-',
      document_number: `AA${n}`,
      document: `AA${n}`,
      fin: `F${n.slice(1)}X`.slice(0, 7),
      surname: 'HƏMİDOV',
      name: 'VÜSAL',
      patronymic: 'MUSƏYRƏLİ OĞLU',
      sex: 'male',
      birth_date: '1977-11-30',
      citizenship: 'AZE',
      ...overrides,
    }).returning(['id', 'number'])
    const accountId = await openCabinetAccount(trx, row.id)
    return { id: row.id as bigint, number: row.number as bigint, accountId }
  })
}
