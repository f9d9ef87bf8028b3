/**
 * Gathers the items handed in during one turn of the event loop, per key, and
 * runs them together once: a burst of requests costs one round trip. Every
 * caller gets the shared run's result (or its error).
 */
export function perTurn<K extends object, I, R>(
  run: (key: K, items: I[]) => Promise<R>,
): (key: K, item: I) => Promise<R> {
  const open = new WeakMap<K, { items: I[]; done: Promise<R> }>()
  return (key, item) => {
    let batch = open.get(key)
    if (!batch) {
      const items: I[] = []
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        open.delete(key)
        return run(key, items)
      })
      batch = { items, done }
      open.set(key, batch)
    }
    batch.items.push(item)
    return batch.done
  }
}
