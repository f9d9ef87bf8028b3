import type { AppContext } from '../context.ts'
import { enqueueCreditGroup, withinTime, type CreditsQueue } from '../queue/credits.ts'
import { perTurn } from './per-turn.ts'
import {
  acceptPayment, type AcceptInput, type AcceptOutcome, type Payment,
} from './accept.ts'

export type InboxDeps = Pick<AppContext, 'db' | 'log' | 'metrics' | 'queues'>

/**
 * Payments accepted while the previous wake-up is being written share one
 * job: one write to Redis for a burst, and one job for the worker to take.
 */
const enqueueSoon = perTurn(
  (q: CreditsQueue, ids: bigint[]) => enqueueCreditGroup(q, ids, 1000), 1)

/**
 * The money path's front door for every protocol: commit the payment, then
 * (only after the commit) wake the credits worker. A failed enqueue is not the
 * payer's problem: the row is committed and the sweeper enqueues it later.
 */
export async function receivePayment(deps: InboxDeps, input: AcceptInput)
  : Promise<AcceptOutcome> {
  const outcome = await acceptPayment(deps.db, input)
  const { payment } = outcome
  const labels = { provider: input.provider }
  switch (outcome.status) {
    case 'accepted':
      deps.metrics.paymentsAccepted.inc(labels)
      try {
        // While Redis is away the payer is answered at once; the sweeper enqueues later.
        if (deps.queues.credits.connection.status !== 'ready') throw new Error('redis is away')
        // A wake-up may queue behind one that Redis is holding: the payer
        // waits a second at most, whatever is ahead of it.
        await withinTime(enqueueSoon(deps.queues.credits, payment.id), 1000)
      } catch (err) {
        deps.metrics.enqueueFailures.inc()
        deps.log.warn({ err, paymentId: payment.id.toString() },
          'credit job not confirmed by Redis; the sweeper picks the payment up if missing')
      }
      break
    case 'replayed':
      deps.metrics.paymentsReplayed.inc(labels)
      break
    case 'mismatch':
      reportMismatch(deps, payment)
      break
  }
  return outcome
}

/** A known external id came back asking for another account or amount: alert. */
export function reportMismatch(deps: Pick<InboxDeps, 'log' | 'metrics'>, payment: Payment)
  : void {
  deps.metrics.paymentMismatches.inc({ provider: payment.provider })
  deps.log.error({ provider: payment.provider, externalId: payment.externalId,
    paymentId: payment.id.toString() },
  'payment id repeated with another account or amount: refused, nothing credited')
}
