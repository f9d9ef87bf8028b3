import { cabinetFactory } from '../../test/helpers/factories.ts'
import type { Db } from '../db.ts'
import { nextCabinetNumber } from '../http/testkit.ts'
import { accountId, cabinetAccount, post } from '../ledger/index.ts'
import { hashPassword } from '../payers/index.ts'

/** The password every holder made by `holderFactory` has. */
export const holderPassword = 'parol2026'
let hash: Promise<string> | undefined

/**
 * A cabinet whose number carries a valid check digit and whose password is
 * `holderPassword`, with its ledger account.
 */
export async function holderFactory(db: Db, overrides: Record<string, unknown> = {})
  : Promise<{ id: bigint; number: bigint; accountId: bigint }> {
  hash ??= hashPassword(holderPassword)
  return cabinetFactory(db, { number: nextCabinetNumber(), password_hash: await hash,
    ...overrides })
}

let funded = 0

/** Credits a cabinet from a test provider's clearing account, as a terminal payment would. */
export async function fundCabinet(db: Db, cabinetId: bigint, amount: bigint,
  paymentCode = '100000000000009'): Promise<void> {
  funded += 1
  const key = `test-fund:${process.pid}:${funded}`
  const [clearing, to] = await Promise.all([
    accountId(db, { kind: 'clearing', provider: 'testnet' }), cabinetAccount(db, cabinetId)])
  await post(db, { key, kind: 'credit',
    legs: [{ account: clearing, amount: -amount }, { account: to, amount }],
    metadata: { paymentCode } })
}
