/** The business events the ledger records; one transaction per event. */
export const txKinds = [
  'credit', 'code_issue', 'code_redeem', 'transfer', 'charge', 'refund', 'reversal',
  'adjustment',
] as const
export type TxKind = (typeof txKinds)[number]

/** Which account a leg touches, named by what it is rather than by its row id. */
export type AccountRef =
  | { kind: 'cabinet'; cabinetId: bigint }
  | { kind: 'clearing'; provider: string }
  | { kind: 'vouchers' }
  | { kind: 'revenue'; service: string }
  | { kind: 'adjustments' }

/** One leg: a signed amount in qəpik; positive grows the account's balance. */
export interface Leg {
  account: bigint
  amount: bigint
}

export type Metadata = Record<string, string | number | boolean | null>

export interface PostRequest {
  /** Unique per business event; a retry of the same event reuses it. */
  key: string
  kind: TxKind
  legs: Leg[]
  metadata?: Metadata
  /** The transaction this one corrects, for reversals. */
  reverses?: bigint
}

export interface Posted {
  transactionId: bigint
  /** True when the key had already been posted with the same content. */
  replayed: boolean
  createdAt: Date
}

/** The largest amount one leg may carry: 100 million AZN. */
export const maxLegAmount = 10_000_000_000n
