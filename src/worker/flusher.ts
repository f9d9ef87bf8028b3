import type { AppContext } from '../context.ts'
import { isGatewayError } from '../errors.ts'
import { postAcceptedPayments, type PostRun } from '../payments/post.ts'

type Deps = Pick<AppContext, 'db' | 'log' | 'metrics'>

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Turns many job wake-ups into few ledger transactions. Jobs that arrive while
 * a flush runs are served together by the next one, so the clearing account
 * sees one posting per batch instead of one per payment.
 */
export class CreditFlusher {
  private pending = new Set<bigint>()
  private waiters: Waiter[] = []
  private running: Promise<void> | null = null
  private readonly log: Deps['log']

  constructor(private readonly deps: Deps, private readonly batchSize: number) {
    this.log = deps.log.child({ component: 'credits' })
  }

  /** Resolves once a flush that started after this call (and includes `ids`) has finished. */
  flush(...ids: bigint[]): Promise<void> {
    for (const id of ids) this.pending.add(id)
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject })
    })
    this.running ??= this.loop().finally(() => {
      this.running = null
    })
    return done
  }

  /** Waits for the flush in progress, if any. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => {})
  }

  private async loop(): Promise<void> {
    let backlog = false
    while (this.waiters.length > 0 || backlog) {
      const ids = [...this.pending]
      const waiters = this.waiters
      this.pending = new Set()
      this.waiters = []
      try {
        const run = await postAcceptedPayments(this.deps.db,
          { ids, limit: this.batchSize, fill: true })
        this.record(run)
        // A full batch means more is waiting: keep draining without a job, but
        // never spin on a batch of payments that only fail.
        backlog = run.posted.length > 0
          && run.posted.length + run.failed.length >= this.batchSize
        for (const w of waiters) w.resolve()
      } catch (err) {
        backlog = false
        this.log.warn({ err, payments: ids.length }, 'credit batch failed; jobs will retry')
        for (const w of waiters) w.reject(err)
      }
    }
  }

  private record(run: PostRun): void {
    const now = Date.now()
    if (run.posted.length > 0) this.deps.metrics.creditBatchSize.observe(run.posted.length)
    for (const p of run.posted) {
      this.deps.metrics.paymentsPosted.inc({ provider: p.provider })
      this.deps.metrics.creditLag.observe((now - p.receivedAt.getTime()) / 1000)
    }
    for (const f of run.failed) {
      const reason = isGatewayError(f.error) ? f.error.code : 'error'
      this.deps.metrics.postingFailures.inc({ reason })
      this.log.error({ err: f.error, paymentId: f.id.toString() },
        'payment could not be posted; it stays accepted until an operator acts')
    }
    if (run.posted.length > 0) {
      this.log.debug({ posted: run.posted.length }, 'credit batch posted')
    }
  }
}
