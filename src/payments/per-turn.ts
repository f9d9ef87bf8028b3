interface Batch<I, R> {
  items: I[]
  done: Promise<R>
  start(): void
}

interface Slot<I, R> {
  running: number
  /** The batch still taking items: it starts at the end of the turn, or later when full up. */
  waiting?: Batch<I, R>
}

/**
 * Gathers the items handed in during one turn of the event loop, per key, and
 * runs them together once: a burst of requests costs one round trip. Every
 * caller gets the shared run's result (or its error).
 *
 * With `maxInFlight`, at most that many runs go at once per key; items that
 * arrive meanwhile wait and go together in the next run, so the busier the
 * key, the bigger its batches and the fewer its round trips.
 */
export function perTurn<K extends object, I, R>(
  run: (key: K, items: I[]) => Promise<R>,
  maxInFlight = Infinity,
): (key: K, item: I) => Promise<R> {
  const slots = new WeakMap<K, Slot<I, R>>()
  const launch = (slot: Slot<I, R>) => {
    const batch = slot.waiting
    if (!batch || slot.running >= maxInFlight) return
    slot.waiting = undefined
    slot.running += 1
    batch.start()
  }
  return (key, item) => {
    let slot = slots.get(key)
    if (!slot) {
      slot = { running: 0 }
      slots.set(key, slot)
    }
    let batch = slot.waiting
    if (!batch) {
      const items: I[] = []
      let start = () => {}
      const started = new Promise<void>((resolve) => {
        start = resolve
      })
      const s = slot
      const done = started.then(() => run(key, items)).finally(() => {
        s.running -= 1
        launch(s)
      })
      batch = { items, done, start }
      slot.waiting = batch
      setImmediate(() => launch(s))
    }
    batch.items.push(item)
    return batch.done
  }
}
