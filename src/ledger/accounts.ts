import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import type { AccountRef } from './types.ts'

interface AccountShape {
  code: string
  kind: AccountRef['kind']
  tracked: boolean
  allowNegative: boolean
}

// Holders' money and vouchers may never go below zero, and the database keeps
// their balance on the row. Clearing, revenue and adjustment accounts are hot
// or counterpart accounts: untracked, their balance is the sum of entries.
function shape(ref: AccountRef): AccountShape {
  switch (ref.kind) {
    case 'cabinet':
      return { code: `cabinet:${ref.cabinetId}`, kind: ref.kind, tracked: true,
        allowNegative: false }
    case 'vouchers':
      return { code: 'vouchers', kind: ref.kind, tracked: true, allowNegative: false }
    case 'clearing':
      return { code: `clearing:${ref.provider}`, kind: ref.kind, tracked: false,
        allowNegative: true }
    case 'revenue':
      return { code: `revenue:${ref.service}`, kind: ref.kind, tracked: false,
        allowNegative: true }
    case 'adjustments':
      return { code: 'adjustments', kind: ref.kind, tracked: false, allowNegative: true }
  }
}

export function accountCode(ref: AccountRef): string {
  return shape(ref).code
}

/** Opens a cabinet's account; call it in the transaction that inserts the cabinet. */
export async function openCabinetAccount(trx: Db | Trx, cabinetId: bigint): Promise<bigint> {
  const s = shape({ kind: 'cabinet', cabinetId })
  const [row] = await trx('accounts')
    .insert({ kind: s.kind, code: s.code, cabinet_id: cabinetId, tracked: true,
      allow_negative: false })
    .returning('id')
  return (row as { id: bigint }).id
}

/**
 * The row id of an account. Cabinet accounts must exist (they are opened with
 * the cabinet); the others are created on first use.
 */
export async function accountId(db: Db | Trx, ref: AccountRef): Promise<bigint> {
  const s = shape(ref)
  const found = await db('accounts').where({ code: s.code }).first('id')
  if (found) return found.id as bigint
  if (ref.kind === 'cabinet') {
    throw new GatewayError('not_found', `cabinet ${ref.cabinetId} has no account`)
  }
  await db('accounts')
    .insert({ kind: s.kind, code: s.code, tracked: s.tracked, allow_negative: s.allowNegative })
    .onConflict('code').ignore()
  const row = await db('accounts').where({ code: s.code }).first('id')
  return row.id as bigint
}
