import { randomInt } from 'node:crypto'
import type { Db } from '../../src/db.ts'
import { openCabinetAccount } from '../../src/ledger/index.ts'

// A per-process random start keeps parallel test files from colliding.
const start = randomInt(1_000_000) * 10
let serial = 0

/** A cabinet row with its account, bypassing the registry: for ledger tests. */
export async function cabinetFactory(
  db: Db,
  overrides: Record<string, unknown> = {},
): Promise<{ id: bigint; number: bigint; accountId: bigint }> {
  serial += 1
  const unique = start + serial
  const n = String(unique % 10_000_000).padStart(7, '0')
  return db.transaction(async (trx) => {
    const [row] = await trx('cabinets').insert({
      number: 900_000_000n + BigInt(unique),
      document_series: '-',
      document_number: `AA${n}`,
      document: `AA${n}`,
      fin: n,
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
