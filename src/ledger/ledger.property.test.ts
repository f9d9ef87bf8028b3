import test from 'ava'
import fc from 'fast-check'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { isGatewayError } from '../errors.ts'
import { accountId, cabinetBalance, post, type PostRequest } from './index.ts'

const ctx = useDb(test, { min: 0, max: 30 })

type Op =
  | { t: 'credit'; to: number; amount: bigint }
  | { t: 'debit'; from: number; amount: bigint }
  | { t: 'transfer'; from: number; to: number; amount: bigint }

const cabinets = 4
const amount = fc.bigInt({ min: 1n, max: 5000n })
const who = fc.integer({ min: 0, max: cabinets - 1 })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('credit' as const), to: who, amount }),
  fc.record({ t: fc.constant('debit' as const), from: who, amount }),
  fc.record({ t: fc.constant('transfer' as const), from: who, to: who, amount })
    .filter((o) => o.from !== o.to),
)

let run = 0

async function invariants() {
  const unbalanced = await ctx.db('ledger_entries').groupBy('transaction_id')
    .havingRaw('sum(amount) <> 0').select('transaction_id')
  const negative = await ctx.db('accounts').where('balance', '<', 0).select('id')
  const drift = await ctx.db.raw(`select a.id from accounts a
    left join ledger_entries e on e.account_id = a.id
    where a.tracked group by a.id
    having a.balance <> coalesce(sum(e.amount), 0)
      or a.credits_total <> coalesce(sum(e.amount) filter (where e.amount > 0), 0)
      or a.debits_total <> coalesce(-sum(e.amount) filter (where e.amount < 0), 0)
      or a.credits_count <> count(e.id) filter (where e.amount > 0)
      or a.debits_count <> count(e.id) filter (where e.amount < 0)`)
  const total = await ctx.db('ledger_entries').first(ctx.db.raw('coalesce(sum(amount),0) as s'))
  return { unbalanced: unbalanced.length, negative: negative.length,
    drift: drift.rows.length, total: String(total.s) }
}

test('random credits, debits and transfers keep every ledger invariant', async (t) => {
  await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }),
    fc.boolean(), async (ops, concurrent) => {
      run += 1
      const cabs = await Promise.all(Array.from({ length: cabinets },
        () => cabinetFactory(ctx.db)))
      const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'prop' })
      const revenue = await accountId(ctx.db, { kind: 'revenue', service: 'prop' })
      const model = cabs.map(() => 0n)
      const request = (o: Op, i: number): PostRequest => {
        const key = `prop-${run}-${i}`
        const acc = (n: number) => (cabs[n] as { accountId: bigint }).accountId
        if (o.t === 'credit') {
          return { key, kind: 'credit', legs: [{ account: clearing, amount: -o.amount },
            { account: acc(o.to), amount: o.amount }] }
        }
        if (o.t === 'debit') {
          return { key, kind: 'charge', legs: [{ account: acc(o.from), amount: -o.amount },
            { account: revenue, amount: o.amount }] }
        }
        return { key, kind: 'transfer', legs: [{ account: acc(o.from), amount: -o.amount },
          { account: acc(o.to), amount: o.amount }] }
      }
      const apply = async (o: Op, i: number) => {
        try {
          await post(ctx.db, request(o, i))
          return true
        } catch (err) {
          if (isGatewayError(err, 'insufficient_funds')) return false
          throw err
        }
      }
      if (concurrent) {
        await Promise.all(ops.map(apply))
      } else {
        for (const [i, o] of ops.entries()) {
          const from = o.t === 'credit' ? -1 : o.from
          const expectOk = from < 0 || (model[from] as bigint) >= o.amount
          const ok = await apply(o, i)
          if (ok !== expectOk) return false
          if (!ok) continue
          if (o.t !== 'credit') model[o.from] = (model[o.from] as bigint) - o.amount
          if (o.t !== 'debit') model[o.to] = (model[o.to] as bigint) + o.amount
        }
        for (const [n, c] of cabs.entries()) {
          if (await cabinetBalance(ctx.db, c.id) !== model[n]) return false
        }
      }
      const inv = await invariants()
      return inv.unbalanced === 0 && inv.negative === 0 && inv.drift === 0 && inv.total === '0'
    }), { numRuns: 40 })
  t.pass()
})
