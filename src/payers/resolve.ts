import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import {
  normaliseRef, parseCabinetNumber, parseDocument, type RefInput,
} from './formats.ts'
import { fullName, maskedName } from './names.ts'

export type PayerMode = 'document' | 'cabinet' | 'either'

/** Who a payer reference points at. Never carries the balance or the FIN. */
export interface ResolvedPayer {
  cabinetId: bigint
  number: bigint
  maskedName: string
  fullName: string
  blocked: boolean
}

/** Turns a typed reference into a lookup key, as the network's mode allows. */
export type PayerKey = { number: bigint } | { document: string }

export function payerKey(ref: RefInput, mode: PayerMode): PayerKey {
  if (mode === 'cabinet') return { number: parseCabinetNumber(ref) }
  if (mode === 'document') return { document: parseDocument(ref).document }
  const norm = normaliseRef(ref)
  if (/^\d+$/.test(norm)) return { number: parseCabinetNumber(norm) }
  if (/^[A-Z]/.test(norm)) return { document: parseDocument(norm).document }
  throw new GatewayError('account_format', norm === ''
    ? 'account is empty'
    : 'account must be a document number such as AA0123456 or a cabinet number')
}

/**
 * Finds the cabinet a payer reference points at. Throws 'account_format',
 * 'payer_not_found', or 'cabinet_blocked' unless opts.allowBlocked.
 */
export async function resolvePayer(
  db: Db | Trx,
  ref: RefInput,
  mode: PayerMode,
  opts: { allowBlocked?: boolean } = {},
): Promise<ResolvedPayer> {
  return payerByKey(db, payerKey(ref, mode), opts)
}

/** The cabinet behind a parsed key; the same refusals as resolvePayer. */
export async function payerByKey(
  db: Db | Trx,
  key: PayerKey,
  opts: { allowBlocked?: boolean } = {},
): Promise<ResolvedPayer> {
  const row = await db('cabinets').where(key)
    .first('id', 'number', 'surname', 'name', 'patronymic', 'blocked')
  if (!row) {
    throw new GatewayError('payer_not_found', 'number' in key
      ? `no cabinet has number ${key.number}`
      : 'no cabinet is registered for this document')
  }
  if (row.blocked && !opts.allowBlocked) {
    throw new GatewayError('cabinet_blocked', `cabinet ${row.number} is blocked`)
  }
  return {
    cabinetId: row.id, number: row.number, maskedName: maskedName(row),
    fullName: fullName(row), blocked: row.blocked,
  }
}
