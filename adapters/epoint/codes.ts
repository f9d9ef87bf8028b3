import type { StatusOutcome } from '../../src/cards/processor.ts'

/**
 * Epoint transaction statuses (integrify `schemas/enums.py`). `returned` means
 * the money went back, so an order still waiting on our side was not paid.
 * `new` is a registered transaction nobody paid: `absent`, which waits like
 * pending until the status window ends. `error` is final only with a bank
 * refusal code; anything else waits.
 */
export const statusOutcomes: Readonly<Record<string, StatusOutcome>> = {
  success: 'paid',
  failed: 'declined',
  returned: 'declined',
  new: 'absent',
  error: 'pending',
  server_error: 'pending',
}

/** Bank codes: `000` approved, `1xx` refusals (insufficient funds, expired card…). */
const refusal = /^1\d\d$/

export function epointOutcome(status: string | undefined, code: string | undefined): StatusOutcome {
  const found = status === undefined ? undefined : statusOutcomes[status.trim().toLowerCase()]
  const c = code?.trim() ?? ''
  if (found === 'paid') return c === '' || c === '000' ? 'paid' : 'pending'
  if (status?.trim().toLowerCase() === 'error' && refusal.test(c)) return 'declined'
  return found ?? 'pending'
}
