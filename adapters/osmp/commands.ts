import type { AppContext } from '../../src/context.ts'
import { GatewayError, isGatewayError } from '../../src/errors.ts'
import { formatAmount, parseAmount } from '../../src/money.ts'
import { normaliseRef, payerKey, resolvePayer } from '../../src/payers/index.ts'
import {
  asUnavailable, findPayment, fingerprintOf, type Payment,
} from '../../src/payments/accept.ts'
import { receivePayment, reportMismatch } from '../../src/payments/inbox.ts'
import type { OsmpOptions } from './options.ts'
import { fromStored, replyFor, storedReply, type OsmpReply } from './reply.ts'
import {
  parseTxnDate, requireAccount, requireSum, requireTxnId, serviceTypeOf, type OsmpParams,
} from './request.ts'

export interface Network {
  id: string
  options: OsmpOptions
}

type Deps = Pick<AppContext, 'db' | 'log' | 'metrics' | 'queues' | 'config'>

function mismatch(net: Network): OsmpReply {
  return replyFor(net.options.mismatchResult,
    'txn_id was already used with another account or sum')
}

async function resolve(deps: Deps, net: Network, account: string) {
  try {
    return await resolvePayer(deps.db, account, net.options.account)
  } catch (err) {
    throw asUnavailable(err)
  }
}

/** `check`: is there such a payer, and may they be paid this sum? Changes nothing. */
export async function check(deps: Deps, net: Network, p: OsmpParams): Promise<OsmpReply> {
  requireTxnId(p)
  requireSum(p, net.options, deps.config.maxAmount)
  if (net.options.sells === 'voucher') return replyFor(0)
  const payer = await resolve(deps, net, requireAccount(p))
  return { ...replyFor(0), name: payer.maskedName }
}

// The fingerprint of what a refused request asked for, when it can be read at all.
function requestedFingerprint(net: Network, p: OsmpParams): string | undefined {
  try {
    return fingerprintOf({ target: targetOf(net), account: normaliseRef(requireAccount(p)),
      amount: parseAmount(p.sum) })
  } catch {
    return undefined
  }
}

const targetOf = (net: Network) => (net.options.sells === 'voucher' ? 'voucher' : 'cabinet')

function replay(payment: Payment): OsmpReply {
  // A payment accepted elsewhere (an operator's `reconcile --apply`) stored no
  // OSMP reply: the network's retry gets one built from the row, the same
  // bytes every time.
  if (payment.reply.result === undefined) {
    return { ...replyFor(0), prvTxn: payment.id.toString(), sum: formatAmount(payment.amount),
      ...(payment.target === 'voucher' ? { code: payment.paymentCode } : {}) }
  }
  return fromStored(payment.reply)
}

/**
 * `pay`: commit the payment, then answer 0 with our id. No `check` is needed
 * first. A repeat gets the stored answer; the same txn_id asking for another
 * account or sum gets the network's fatal mismatch result.
 */
export async function pay(deps: Deps, net: Network, p: OsmpParams): Promise<OsmpReply> {
  const txnId = requireTxnId(p)
  let parsed
  try {
    const amount = requireSum(p, net.options, deps.config.maxAmount)
    const account = requireAccount(p)
    const time = parseTxnDate(p.txn_date, net.options.timeZone)
    const serviceType = serviceTypeOf(p, net.options)
    // A voucher is bought for nobody in particular: there is no payer to find.
    // A payer's cabinet is looked up inside the insert that accepts the payment.
    const key = net.options.sells === 'voucher' ? null : payerKey(account, net.options.account)
    parsed = { amount, account, time, serviceType, key }
  } catch (err) {
    if (!isGatewayError(err) || err.retryable) throw err
    // A refusal is final only for a txn_id never accepted: the network may be
    // retrying a payment we took before the cabinet was blocked or limits changed.
    const known = await findPayment(deps.db, net.id, txnId).catch((e) => {
      throw asUnavailable(e)
    })
    if (!known) throw err
    if (known.fingerprint === requestedFingerprint(net, p)) return replay(known)
    reportMismatch(deps, known)
    return mismatch(net)
  }

  const sum = formatAmount(parsed.amount)
  const outcome = await receivePayment(deps, {
    provider: net.id,
    externalId: txnId,
    source: 'terminal',
    payerRef: parsed.account,
    account: normaliseRef(parsed.account),
    target: targetOf(net),
    cabinetId: null,
    ...(parsed.key ? { payerKey: parsed.key } : {}),
    amount: parsed.amount,
    providerTimeRaw: parsed.time.raw,
    providerTime: parsed.time.utc,
    metadata: parsed.serviceType ? { servicetype: parsed.serviceType } : {},
    reply: ({ id, paymentCode }) => storedReply({ ...replyFor(0), prvTxn: id.toString(), sum,
      ...(parsed.key ? {} : { code: paymentCode }) }),
  })
  if (outcome.status === 'mismatch') return mismatch(net)
  return replay(outcome.payment)
}

const stateComments: Record<Payment['state'], string> = {
  accepted: 'accepted, being credited',
  posted: 'credited',
  reversed: 'reversed',
}

/** `status`: what became of a txn_id. Unknown is non-fatal: its `pay` may be in flight. */
export async function status(deps: Deps, net: Network, p: OsmpParams): Promise<OsmpReply> {
  const txnId = requireTxnId(p)
  const payment = await findPayment(deps.db, net.id, txnId).catch((e) => {
    throw asUnavailable(e)
  })
  if (!payment) return replyFor(1, 'txn_id not found')
  return {
    result: payment.state === 'reversed' ? 7 : 0,
    comment: stateComments[payment.state],
    prvTxn: payment.id.toString(),
    sum: formatAmount(payment.amount),
  }
}

export const commands = { check, pay, status } as const
export type Command = keyof typeof commands

export function commandOf(p: OsmpParams): Command {
  const c = p.command
  if (c === 'check' || c === 'pay' || c === 'status') return c
  throw new GatewayError('bad_request', c ? 'unknown command' : 'command is missing')
}
