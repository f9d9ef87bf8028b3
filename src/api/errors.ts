import type { ErrorCode } from '../errors.ts'
import { clientHttpError, GatewayError } from '../errors.ts'

/** How the charge API answers each core error: HTTP status and the code on the wire. */
export const apiErrors: Record<ErrorCode, { status: number; code: string }> = {
  bad_request: { status: 400, code: 'validation' },
  amount_format: { status: 400, code: 'amount_format' },
  amount_too_small: { status: 400, code: 'amount_too_small' },
  amount_too_large: { status: 422, code: 'amount_too_large' },
  currency: { status: 400, code: 'validation' },
  account_format: { status: 422, code: 'account_format' },
  payer_not_found: { status: 404, code: 'payer_not_found' },
  cabinet_blocked: { status: 423, code: 'cabinet_blocked' },
  payment_mismatch: { status: 409, code: 'idempotency_conflict' },
  idempotency_conflict: { status: 409, code: 'idempotency_conflict' },
  insufficient_funds: { status: 402, code: 'insufficient_funds' },
  not_found: { status: 404, code: 'not_found' },
  unauthorized: { status: 401, code: 'unauthorized' },
  forbidden: { status: 401, code: 'unauthorized' },
  conflict: { status: 409, code: 'conflict' },
  not_supported: { status: 400, code: 'validation' },
  unavailable: { status: 503, code: 'unavailable' },
  internal: { status: 500, code: 'internal' },
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> }
}

// Details the API may show; anything else in a GatewayError stays inside.
const shownDetails = ['refundable']

/** The status and body for an error; a fault that is not ours reveals nothing. */
export function apiErrorAnswer(err: unknown): { status: number; body: ApiErrorBody } {
  if (!(err instanceof GatewayError)) {
    const client = clientHttpError(err)
    if (client) {
      return { status: client.status, body: { error: { code: 'validation',
        message: client.message } } }
    }
    return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } }
  }
  const { status, code } = apiErrors[err.code]
  const message = status >= 500 ? 'the service is unavailable, try again' : err.message
  const details = Object.fromEntries(Object.entries(err.details)
    .filter(([k]) => shownDetails.includes(k)))
  return { status, body: { error: { code, message,
    ...(Object.keys(details).length ? { details } : {}) } } }
}
