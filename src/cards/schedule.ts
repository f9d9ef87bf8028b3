const minute = 60_000

/** How long the sweeper waits before asking again: 5, 10, 20, 40, then every 60 minutes. */
export function nextCheckDelay(checks: number): number {
  return Math.min(5 * minute * 2 ** Math.min(checks, 4), 60 * minute)
}

/**
 * When the sweeper asks for the last time: before the processor's status
 * window closes (a quarter of it, at most 30 minutes, early), so that the
 * processor can still say the order was not paid.
 */
export function finalCheckAt(createdAt: Date, windowMs: number): Date {
  return new Date(createdAt.getTime() + finalCheckAfter(windowMs))
}

/** How long after its creation an order gets its final check. */
export function finalCheckAfter(windowMs: number): number {
  return windowMs - Math.min(30 * minute, Math.floor(windowMs / 4))
}

/** The sweeper's next check after `checks` checks: never later than the final check. */
export function nextCheckAt(
  order: { createdAt: Date; checks: number }, windowMs: number, now: Date,
): Date {
  const next = now.getTime() + nextCheckDelay(order.checks)
  const last = finalCheckAt(order.createdAt, windowMs).getTime()
  return new Date(now.getTime() < last ? Math.min(next, last) : next)
}
