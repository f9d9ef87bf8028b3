import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The process's Prometheus metrics; one registry per context, so tests stay apart. */
export interface Metrics {
  registry: Registry
  httpRequests: Counter<'route' | 'method' | 'status' | 'outcome'>
  httpDuration: Histogram<'route'>
  paymentsAccepted: Counter<'provider'>
  paymentsReplayed: Counter<'provider'>
  paymentMismatches: Counter<'provider'>
  paymentsPosted: Counter<'provider'>
  postingFailures: Counter<'reason'>
  sweeperReenqueued: Counter
  enqueueFailures: Counter
  creditBatchSize: Histogram
  creditLag: Histogram
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    httpRequests: new Counter({ name: 'http_requests_total', registers,
      help: 'HTTP requests by route, method, status and protocol outcome',
      labelNames: ['route', 'method', 'status', 'outcome'] }),
    httpDuration: new Histogram({ name: 'http_request_duration_seconds', registers,
      help: 'HTTP request latency by route', labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60] }),
    paymentsAccepted: new Counter({ name: 'payments_accepted_total', registers,
      help: 'Payments committed for the first time', labelNames: ['provider'] }),
    paymentsReplayed: new Counter({ name: 'payments_replayed_total', registers,
      help: 'Repeated payment requests answered with the stored reply',
      labelNames: ['provider'] }),
    paymentMismatches: new Counter({ name: 'payment_mismatches_total', registers,
      help: 'Known external ids repeated with another account or amount (alert on any)',
      labelNames: ['provider'] }),
    paymentsPosted: new Counter({ name: 'payments_posted_total', registers,
      help: 'Payments posted to the ledger', labelNames: ['provider'] }),
    postingFailures: new Counter({ name: 'payment_posting_failures_total', registers,
      help: 'Payments the worker could not post (alert on any)', labelNames: ['reason'] }),
    sweeperReenqueued: new Counter({ name: 'sweeper_reenqueued_total', registers,
      help: 'Accepted payments the sweeper found unposted and enqueued again' }),
    enqueueFailures: new Counter({ name: 'credit_enqueue_failures_total', registers,
      help: 'Enqueues that failed after commit (the sweeper recovers them)' }),
    creditBatchSize: new Histogram({ name: 'credit_batch_size', registers,
      help: 'Payments posted per ledger transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000] }),
    creditLag: new Histogram({ name: 'credit_lag_seconds', registers,
      help: 'Time from accepting a payment to posting it (worker lag)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] }),
  }
}
