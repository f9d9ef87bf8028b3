import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'

type Callback = (err: Error | null, key: Buffer) => void

/**
 * For tests: watches node's scrypt, which every password check runs, and can
 * hold checks back to keep a burst of guesses in flight. Checks are told
 * apart by the salt of the stored hash they are made against, so tests that
 * run side by side over other cabinets do not disturb the counts.
 */
export interface ScryptWatch {
  /** The passwords checked so far against this stored hash, or against any. */
  checked(hash?: string): string[]
  /**
   * Holds the checks of passwords `which` picks against `hash` (or against
   * any hash when it is null) until the returned call.
   */
  hold(hash: string | null, which?: (password: string) => boolean): () => void
  restore(): void
}

const saltOf = (hash: string) => {
  const salt = hash.split('$')[3]
  if (!salt) throw new Error('not a stored scrypt hash')
  return salt
}

/** Wraps `crypto.scrypt` for every module in this process until `restore()`. */
export function watchScrypt(): ScryptWatch {
  const original = crypto.scrypt
  const seen = new Map<string, string[]>()
  const held = new Map<string, { which: (p: string) => boolean; queue: Array<() => void> }>()
  const any = '*'

  const wrapped = (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number,
    options: crypto.ScryptOptions, callback: Callback) => {
    const key = Buffer.from(salt as Buffer).toString('base64url')
    const tried = String(password)
    for (const k of [key, any]) {
      if (!seen.has(k)) seen.set(k, [])
      seen.get(k)!.push(tried)
    }
    const run = () => original(password, salt, keylen, options, callback)
    const gate = [held.get(key), held.get(any)].find((g) => g?.which(tried))
    if (gate) gate.queue.push(run)
    else run()
  }
  Object.assign(crypto, { scrypt: wrapped })
  syncBuiltinESMExports()

  return {
    checked: (hash) => seen.get(hash === undefined ? any : saltOf(hash)) ?? [],
    hold(hash, which = () => true) {
      const key = hash === null ? any : saltOf(hash)
      const gate = { which, queue: [] as Array<() => void> }
      held.set(key, gate)
      return () => {
        held.delete(key)
        for (const run of gate.queue.splice(0)) run()
      }
    },
    restore() {
      Object.assign(crypto, { scrypt: original })
      syncBuiltinESMExports()
    },
  }
}

/** Waits until `ready()` holds, checking every few milliseconds; throws after `ms`. */
export async function until(ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ready()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
