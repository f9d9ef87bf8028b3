/**
 * Every fault the core can report, as a closed union. Adapters map each code
 * to their own protocol's answer with a table typed over this union, so a new
 * code does not compile until every protocol says what it means.
 */
export type ErrorCode =
  | 'bad_request'
  | 'amount_format'
  | 'amount_too_small'
  | 'amount_too_large'
  | 'currency'
  | 'account_format'
  | 'payer_not_found'
  | 'cabinet_blocked'
  | 'payment_mismatch'
  | 'idempotency_conflict'
  | 'insufficient_funds'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'not_supported'
  | 'unavailable'
  | 'internal'

const retryableCodes: ReadonlySet<ErrorCode> = new Set(['unavailable', 'internal'])

export class GatewayError extends Error {
  override name = 'GatewayError'
  readonly retryable: boolean

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.retryable = retryableCodes.has(code)
  }
}

export function isGatewayError(err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code)
}

/** Postgres errors that mean "try again", not "this input is wrong". */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code
  if (code && /^(08|40|53|57P0)/.test(code)) return true
  const msg = err instanceof Error ? err.message : ''
  return /ECONNREFUSED|ECONNRESET|Connection terminated|Timeout acquiring|timeout exceeded/i
    .test(msg)
}

/**
 * A client's fault reported by an HTTP library (a body parser refusing an
 * encoding, a size or a syntax): its status and safe message, or undefined.
 */
export function clientHttpError(err: unknown): { status: number; message: string } | undefined {
  const e = err as { status?: unknown; expose?: unknown; message?: unknown; code?: unknown }
    | null
  // zlib and brotli failures carry no status: the body was not what its
  // Content-Encoding said.
  if (e && typeof e.code === 'string' && /^(Z_|ERR__|ERR_ZLIB|ERR_BROTLI)/.test(e.code)) {
    return { status: 400, message: 'the body could not be decoded as its Content-Encoding says' }
  }
  if (!e || typeof e.status !== 'number' || e.status < 400 || e.status > 499) return undefined
  const message = e.expose === true && typeof e.message === 'string' ? e.message : 'bad request'
  return { status: e.status, message }
}
