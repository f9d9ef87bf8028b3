import type { StatusOutcome } from '../../src/cards/processor.ts'

/**
 * Gateway ACTION codes (spec §2 "Cavab formatı"). Only an explicit approval or
 * refusal is final; a duplicate, an error or anything unlisted waits for the
 * next status query.
 */
export const actionOutcomes: Readonly<Record<string, StatusOutcome>> = {
  '0': 'paid',
  '1': 'pending', // duplicate transaction: not a new payment
  '2': 'declined',
  '3': 'pending', // processing error
  '6': 'declined', // repeat of a declined one
  '7': 'declined', // repeat after an authentication error
  '8': 'pending', // repeat of one stopped without a response
}

export const actionMeanings: Readonly<Record<string, string>> = {
  '0': 'approved',
  '1': 'duplicate transaction',
  '2': 'declined',
  '3': 'processing error',
  '6': 'repeat of a declined transaction',
  '7': 'repeat after an authentication error',
  '8': 'repeat of a transaction stopped without response',
}

/** RC -24 "Transaction context mismatch": the gateway holds no such transaction. */
const noTransaction = '-24'

/**
 * Approved only when ACTION is 0 and RC is absent or 00; an approval with
 * another RC waits. ACTION 3 with RC -24 is the gateway saying it has no such
 * transaction for the order: `absent`, which waits like pending until the
 * status window ends.
 */
export function actionOutcome(action: string | undefined, rc: string | undefined): StatusOutcome {
  const found = action === undefined ? undefined : actionOutcomes[action.trim()]
  if (found === undefined) return 'pending'
  if (action?.trim() === '3' && rc?.trim() === noTransaction) return 'absent'
  if (found === 'paid') {
    const code = rc?.trim() ?? ''
    return code === '' || code === '00' ? 'paid' : 'pending'
  }
  return found
}
