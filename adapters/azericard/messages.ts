import { GatewayError } from '../../src/errors.ts'
import type {
  CallbackNotice, ProcessorOrder, StatusResult,
} from '../../src/cards/processor.ts'
import { actionOutcome } from './codes.ts'
import { azericardAmount, nonce, parseReportedAmount, utcTimestamp } from './format.ts'
import { macSource, type Fields, type MacScheme } from './mac.ts'

/** One terminal's fixed request values. */
export interface TerminalSettings {
  terminal: string
  scheme: MacScheme
  merchantName: string
  merchantUrl: string
  description: string
  lang: string
  email?: string
}

/** TRTYPE codes we send (spec §2): 1 sale, 24 reversal, 90 status. */
export const trtype = { sale: '1', reversal: '24', status: '90' } as const

const orderPattern = /^\d{6,32}$/

function signed(s: TerminalSettings, fields: Fields, order: readonly string[]): Fields {
  return { ...fields, P_SIGN: s.scheme.sign(macSource(fields, order)) }
}

function present(fields: Fields): Record<string, string> {
  return Object.fromEntries(Object.entries(fields)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''))
}

/** The sale form the payer's browser posts to the hosted page (spec §2.1). */
export function saleRequest(
  s: TerminalSettings, order: ProcessorOrder, backref: string, at = new Date(),
): Record<string, string> {
  const fields: Fields = {
    AMOUNT: azericardAmount(order.amount),
    CURRENCY: 'AZN',
    ORDER: order.orderNumber,
    DESC: s.description,
    MERCH_NAME: s.merchantName,
    MERCH_URL: s.merchantUrl,
    TERMINAL: s.terminal,
    EMAIL: s.email,
    TRTYPE: trtype.sale,
    TIMESTAMP: utcTimestamp(at),
    NONCE: nonce(),
    BACKREF: backref,
    LANG: s.lang,
  }
  return present(signed(s, fields, s.scheme.fields.auth))
}

/** TRTYPE 90 for our order; TRAN_TRTYPE names the operation asked about (spec §8). */
export function statusRequest(
  s: TerminalSettings, orderNumber: string, of: string = trtype.sale, at = new Date(),
): Record<string, string> {
  const fields: Fields = {
    TRAN_TRTYPE: of,
    ORDER: orderNumber,
    TERMINAL: s.terminal,
    TRTYPE: trtype.status,
    TIMESTAMP: utcTimestamp(at),
    NONCE: nonce(),
  }
  return present(signed(s, fields, s.scheme.fields.status))
}

/** TRTYPE 24 for a paid order; needs the RRN and INT_REF of the sale (spec §2.2.4). */
export function reversalRequest(
  s: TerminalSettings, order: ProcessorOrder, at = new Date(),
): Record<string, string> {
  if (!order.refs.rrn || !order.refs.intRef) {
    throw new GatewayError('bad_request', 'a reversal needs the RRN and INT_REF of the sale')
  }
  const fields: Fields = {
    AMOUNT: azericardAmount(order.amount),
    CURRENCY: 'AZN',
    ORDER: order.orderNumber,
    RRN: order.refs.rrn,
    INT_REF: order.refs.intRef,
    TERMINAL: s.terminal,
    TRTYPE: trtype.reversal,
    TIMESTAMP: utcTimestamp(at),
    NONCE: nonce(),
  }
  return present(signed(s, fields, s.scheme.fields.adjust))
}

function text(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

/**
 * Verifies a callback to BACKREF. The RSA MAC covers only AMOUNT, TERMINAL,
 * APPROVAL, RRN and INT_REF, so ORDER and ACTION are hints until TRTYPE 90
 * confirms them (spec §2.3).
 */
export function readCallback(s: TerminalSettings, body: Record<string, unknown>): CallbackNotice {
  const pSign = text(body, 'P_SIGN')
  if (!pSign) throw new GatewayError('unauthorized', 'callback carries no P_SIGN')
  const fields: Fields = {}
  for (const name of s.scheme.fields.callback) fields[name] = text(body, name)
  if (!s.scheme.verify(macSource(fields, s.scheme.fields.callback), pSign)) {
    throw new GatewayError('unauthorized', 'callback P_SIGN does not verify')
  }
  if (text(body, 'TERMINAL') !== s.terminal) {
    throw new GatewayError('unauthorized', 'callback names another terminal')
  }
  const orderNumber = text(body, 'ORDER') ?? ''
  if (!orderPattern.test(orderNumber)) {
    throw new GatewayError('bad_request', 'callback ORDER is not 6 to 32 digits')
  }
  const action = text(body, 'ACTION')
  const rc = text(body, 'RC')
  return {
    orderNumber,
    amount: parseReportedAmount(text(body, 'AMOUNT')),
    currency: text(body, 'CURRENCY') ?? null,
    refs: refs(text(body, 'RRN'), text(body, 'INT_REF')),
    hint: actionOutcome(action, rc),
    detail: `action=${action ?? '-'} rc=${rc ?? '-'}`,
  }
}

function refs(rrn: string | undefined, intRef: string | undefined) {
  return {
    ...(rrn ? { rrn: rrn.trim() } : {}),
    ...(intRef ? { intRef: intRef.trim() } : {}),
  }
}

// Names seen for the same value: the documented upper-case fields and the
// camelCase JSON the test gateway answered with (reference §2.4 [live]).
const aliases = {
  action: ['ACTION', 'actionCode', 'action'],
  rc: ['RC', 'responseCode', 'rc'],
  amount: ['AMOUNT', 'amount'],
  currency: ['CURRENCY', 'currency'],
  rrn: ['RRN', 'rrn'],
  intRef: ['INT_REF', 'intRef', 'int_ref'],
  approval: ['APPROVAL', 'approval_id', 'approval'],
  order: ['ORDER', 'order'],
  terminal: ['TERMINAL', 'terminal'],
} as const

function pick(body: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = text(body, n)
    if (v !== undefined) return v
  }
  return undefined
}

function decode(raw: string): Record<string, unknown> | null {
  const trimmed = raw.trim()
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : null
    } catch {
      return null
    }
  }
  if (/^[A-Za-z_]+=/.test(trimmed)) return Object.fromEntries(new URLSearchParams(trimmed))
  return null
}

/** Reads a TRTYPE 90 answer (JSON or form-encoded); anything unreadable is pending. */
export function readStatus(s: TerminalSettings, orderNumber: string, raw: string): StatusResult {
  const body = decode(raw)
  if (!body) {
    return { outcome: 'pending', amount: null, currency: null, refs: {}, detail: 'unreadable' }
  }
  const action = pick(body, aliases.action)
  const rc = pick(body, aliases.rc)
  const detail = `action=${action ?? '-'} rc=${rc ?? '-'}`
  const order = pick(body, aliases.order)
  const terminal = pick(body, aliases.terminal)
  if ((order !== undefined && order !== orderNumber)
    || (terminal !== undefined && terminal !== s.terminal)) {
    return { outcome: 'pending', amount: null, currency: null, refs: {},
      detail: `${detail} names another order or terminal` }
  }
  const approval = pick(body, aliases.approval)
  return {
    outcome: actionOutcome(action, rc),
    amount: parseReportedAmount(body[aliases.amount.find((n) => n in body) ?? 'AMOUNT']),
    currency: pick(body, aliases.currency) ?? null,
    refs: refs(pick(body, aliases.rrn), pick(body, aliases.intRef)),
    ...(approval ? { approval } : {}),
    detail,
  }
}
