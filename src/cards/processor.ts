import type { Adapter } from '../../adapters/index.ts'
import type { Logger } from '../log.ts'

/**
 * The neutral contract every card processor adapter implements. The core
 * (orders, settle, sweeper, routes) talks only to this; wire formats, keys and
 * code tables stay in `adapters/<protocol>/`.
 */

/**
 * Only an explicit success or failure from the processor is final. `absent`:
 * the processor explicitly has no payment for the order (never started or not
 * completed); it waits like `pending`, but at the end of the status window it
 * lets the sweeper expire the order.
 */
export type StatusOutcome = 'paid' | 'declined' | 'pending' | 'absent'

/** The processor's own references to a payment; each is unique per processor. */
export interface ProcessorRefs {
  rrn?: string
  intRef?: string
  transaction?: string
}

/** What an adapter needs to know about one of our orders. */
export interface ProcessorOrder {
  orderNumber: string
  amount: bigint
  createdAt: Date
  refs: ProcessorRefs
}

/** Where the payer's browser goes next: an auto-submitting form. */
export interface HostedRedirect {
  method: 'GET' | 'POST'
  action: string
  fields: Record<string, string>
  /** References the processor handed out when the order was registered (Epoint transaction). */
  refs: ProcessorRefs
}

/** URLs of ours the processor sends the payer and its notifications to. */
export interface ReturnUrls {
  /** The browser comes back here (Azericard BACKREF, Epoint success/error URLs). */
  returnUrl: string
  /** Server-to-server notifications, where the processor has them. */
  callbackUrl: string
  /** This order's own result page, for processors whose return is unsigned (Epoint). */
  orderUrl: string
}

/** A callback whose signature checked out; still only a trigger to ask for the status. */
export interface CallbackNotice {
  orderNumber: string
  /** The amount the signed part reports, when it reports one. */
  amount: bigint | null
  currency: string | null
  refs: ProcessorRefs
  hint: StatusOutcome
  detail: string
}

/** The processor's authoritative answer about one of our orders. */
export interface StatusResult {
  outcome: StatusOutcome
  amount: bigint | null
  currency: string | null
  refs: ProcessorRefs
  approval?: string
  /** Codes for logs and the operator, such as `action=2 rc=05`; never card data. */
  detail: string
}

export type ReversalOutcome = 'reversed' | 'refused' | 'unknown'

export interface ReversalResult {
  outcome: ReversalOutcome
  detail: string
}

export interface CardProcessor {
  /** The provider id from the providers file. */
  readonly id: string
  /** The name a payer picks on the pay page. */
  readonly label: string
  /** How long after creation the processor still answers status queries. */
  readonly statusWindowMs: number
  /**
   * Registers the order where the processor needs that and returns the form
   * that takes the payer to the hosted page. Throws GatewayError 'unavailable'
   * when the processor did not answer.
   */
  begin(order: ProcessorOrder, urls: ReturnUrls): Promise<HostedRedirect>
  /**
   * Verifies a callback or a signed browser return. Throws GatewayError
   * 'unauthorized' for a bad or missing signature, 'bad_request' when malformed.
   */
  verifyCallback(body: Record<string, unknown>): CallbackNotice
  /**
   * Asks for the status of our own order. Throws GatewayError 'unavailable'
   * on a timeout or transport fault: the outcome is then unknown.
   */
  queryStatus(order: ProcessorOrder): Promise<StatusResult>
  /** Reverses a paid order in full; 'unknown' means confirm with a status query. */
  reverse(order: ProcessorOrder): Promise<ReversalResult>
}

/**
 * A card protocol's entry in the adapter registry (`adapters/index.ts`): the
 * usual options and router, plus a factory for its processors.
 */
export interface CardAdapter<O> extends Adapter<O> {
  processor(id: string, options: O, deps: { log: Logger }): CardProcessor
}

export function isCardAdapter(a: Adapter<unknown>): a is CardAdapter<unknown> {
  return typeof (a as Partial<CardAdapter<unknown>>).processor === 'function'
}
