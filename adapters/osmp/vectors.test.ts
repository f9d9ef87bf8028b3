import { readFileSync } from 'node:fs'
import test from 'ava'
import { XMLValidator } from 'fast-xml-parser'
import {
  nextCabinetNumber, osmpNetwork, providersOf, resultOf, startHarness, testPrefix,
  type Harness,
} from '../../src/http/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

interface Vector {
  ref: string
  title: string
  params: Record<string, string>
  result: number
  body?: string
  stored?: boolean
}

const { vectors } = JSON.parse(readFileSync(
  new URL('./fixtures/vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }

let h: Harness | undefined
let tdb: TestDb
const places: Record<string, string> = {}

test.after.always(async () => {
  await h?.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb()
  const holder = await cabinetFactory(tdb.db, {
    document: 'AA0123456', document_number: 'AA0123456', number: nextCabinetNumber() })
  const blocked = await cabinetFactory(tdb.db, { number: nextCabinetNumber(), blocked: true })
  places.cabinet = holder.number.toString()
  places.blocked = blocked.number.toString()
  h = await startHarness({ db: tdb.db, providers: providersOf({ t1: osmpNetwork() }),
    prefix: testPrefix('vectors') })
})

function fill(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) =>
    [k, v.replace(/\{(\w+)\}/g, (_, name: string) => places[name] ?? `{${name}}`)]))
}

for (const v of vectors) {
  test(`vector ${v.ref}: ${v.title} (GET and POST alike)`, async (t) => {
    const url = `${h!.url}/terminal/t1`
    const params = new URLSearchParams(fill(v.params))
    const bodies: string[] = []
    for (const res of [
      await fetch(`${url}?${params}`),
      await fetch(url, { method: 'POST', body: params }),
    ]) {
      t.is(res.status, 200)
      t.is(res.headers.get('content-type'), 'text/xml; charset=utf-8')
      const body = await res.text()
      t.true(XMLValidator.validate(body) === true, body)
      // XML 1.0 has no place for control characters, escaped or not.
      // eslint-disable-next-line no-control-regex
      t.false(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(body), body)
      t.is(resultOf(body), v.result, body)
      if (v.body !== undefined) t.is(body, v.body)
      bodies.push(body)
    }
    t.is(bodies[0], bodies[1])
    if (v.stored === false) {
      const rows = await tdb.db('payments').where({ provider: 't1' })
        .andWhere('external_id', v.params.txn_id ?? '').count<{ count: string }[]>('* as count')
      t.is(Number(rows[0]?.count), 0, 'nothing stored')
    }
  })
}
