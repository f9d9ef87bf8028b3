import type { ErrorCode } from '../../src/errors.ts'

/**
 * OSMP result codes. Fatal: the network stops and fails the payment.
 * Non-fatal: it sends the same request again later (QIWI: for up to 24 h).
 * Flags as in shared/reference/terminal-protocols.md §2, table "Result codes".
 */
export const osmpResults = {
  0: { fatal: false, comment: 'OK' },
  1: { fatal: false, comment: 'Temporary error, please retry later' },
  4: { fatal: true, comment: 'Wrong account format' },
  5: { fatal: true, comment: 'Payer not found' },
  7: { fatal: true, comment: 'Payment refused' },
  79: { fatal: true, comment: 'Cabinet is blocked' },
  90: { fatal: false, comment: 'Payment processing is not finished' },
  241: { fatal: true, comment: 'Sum is below the minimum' },
  242: { fatal: true, comment: 'Sum is above the maximum' },
  300: { fatal: true, comment: 'Bad request' },
} as const satisfies Record<number, { fatal: boolean; comment: string }>

export type OsmpResult = keyof typeof osmpResults

/**
 * Each core error as an OSMP result. Outages and unknown faults are non-fatal:
 * a fatal code must never reach a network for a payment that may be taken.
 */
export const resultFor: Record<ErrorCode, OsmpResult> = {
  bad_request: 300,
  amount_format: 300,
  amount_too_small: 241,
  amount_too_large: 242,
  currency: 300,
  account_format: 4,
  payer_not_found: 5,
  cabinet_blocked: 79,
  payment_mismatch: 300,
  idempotency_conflict: 300,
  insufficient_funds: 7,
  not_found: 300,
  unauthorized: 300,
  forbidden: 7,
  conflict: 300,
  not_supported: 300,
  unavailable: 1,
  internal: 1,
}

/** Errors whose own message is safe and useful as the reply's comment. */
export const explainedCodes: ReadonlySet<ErrorCode> = new Set([
  'bad_request', 'amount_format', 'amount_too_small', 'amount_too_large', 'currency',
])
