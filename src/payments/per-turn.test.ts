import test from 'ava'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { perTurn } from './per-turn.ts'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

test('items of one turn share one run per key; each caller gets that run\'s result', async (t) => {
  const runs: Array<[string, number[]]> = []
  const add = perTurn(async (key: { name: string }, items: number[]) => {
    runs.push([key.name, [...items]])
    return items.length
  })
  const a = { name: 'a' }
  const b = { name: 'b' }
  const first = await Promise.all([add(a, 1), add(a, 2), add(b, 3), add(a, 4)])
  t.deepEqual(first, [3, 3, 1, 3])
  t.deepEqual(await add(a, 5), 1)
  t.deepEqual(runs, [['a', [1, 2, 4]], ['b', [3]], ['a', [5]]])
})

test('without a limit, each turn starts its own run at once', async (t) => {
  const gates: Array<ReturnType<typeof deferred<void>>> = []
  const add = perTurn(async (_k: object, items: number[]) => {
    const gate = deferred<void>()
    gates.push(gate)
    await gate.promise
    return items
  })
  const key = {}
  const one = add(key, 1)
  await nextTurn()
  const two = add(key, 2)
  await nextTurn()
  t.is(gates.length, 2)
  for (const g of gates) g.resolve()
  t.deepEqual(await Promise.all([one, two]), [[1], [2]])
})

test('with maxInFlight 1, items arriving during a run wait and go together next', async (t) => {
  const gates: Array<ReturnType<typeof deferred<void>>> = []
  const runs: number[][] = []
  const add = perTurn(async (_k: object, items: number[]) => {
    runs.push([...items])
    const gate = deferred<void>()
    gates.push(gate)
    await gate.promise
    return items.length
  }, 1)
  const key = {}
  const first = add(key, 1)
  await nextTurn()
  const later = [add(key, 2)]
  await nextTurn()
  later.push(add(key, 3))
  await nextTurn()
  t.deepEqual(runs, [[1]], 'nothing else starts while the first run is in flight')
  gates[0]?.resolve()
  t.is(await first, 1)
  await nextTurn()
  t.deepEqual(runs, [[1], [2, 3]])
  gates[1]?.resolve()
  t.deepEqual(await Promise.all(later), [2, 2])
})

test('a failed run fails its own callers only, and the next batch still runs', async (t) => {
  let calls = 0
  const add = perTurn(async (_k: object, items: string[]) => {
    calls += 1
    if (calls === 1) throw new Error(`lost ${items.join(',')}`)
    return items.join(',')
  }, 1)
  const key = {}
  const failed = [add(key, 'x'), add(key, 'y')]
  for (const f of failed) await t.throwsAsync(f, { message: 'lost x,y' })
  t.is(await add(key, 'z'), 'z')
})
