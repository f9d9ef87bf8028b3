import test from 'ava'
import {
  nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf, startHarness, testPrefix,
  type Harness,
} from '../../src/http/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { basicAuthOk, ipAllowed } from './guard.ts'
import { osmpOptions } from './options.ts'

let h: Harness
let tdb: TestDb
let queries = 0
let account = ''
const password = 'correct horse battery'
const basic = (user: string, pw: string) =>
  ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` })

test.after.always(async () => {
  await h?.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb()
  account = (await cabinetFactory(tdb.db, { number: nextCabinetNumber() })).number.toString()
  h = await startHarness({ db: tdb.db, prefix: testPrefix('gate'), providers: providersOf({
    open: osmpNetwork(),
    far: osmpNetwork({ allow: ['10.0.0.0/8', '2001:db8::/32'] }),
    locked: osmpNetwork({ basicAuth: { user: 'terminal', password } }),
  }) })
  h.ctx.db.on('query', () => {
    queries += 1
  })
})

const check = { command: 'check', txn_id: '1', sum: '1.00' }

test.serial('vector 13: a source address outside the allow-list gets 403 before any lookup',
  async (t) => {
    const before = queries
    const res = await osmp(h.url, 'far', { ...check, account })
    t.is(res.status, 403)
    t.is(queries, before)
  })

test.serial('vector 13: wrong or missing Basic credentials get 403 before any lookup',
  async (t) => {
    const before = queries
    for (const headers of [{}, basic('terminal', 'wrong'), basic('other', password),
      basic('terminal', `${password}x`), { authorization: 'Bearer abc' },
      { authorization: 'Basic !!!' }]) {
      const res = await osmp(h.url, 'locked', { ...check, account }, { headers })
      t.is(res.status, 403)
    }
    t.is(queries, before)
    const ok = await osmp(h.url, 'locked', { ...check, account },
      { headers: basic('terminal', password) })
    t.is(ok.status, 200)
    t.is(resultOf(ok.body), 0)
    t.true(queries > before, 'the allowed request did look the payer up')
  })

test.serial('an unknown network is 404', async (t) => {
  const res = await osmp(h.url, 'nowhere', { ...check, account })
  t.is(res.status, 404)
})

test('allow-lists match by prefix bits, not by string prefix', (t) => {
  const ranges = osmpOptions.parse(osmpNetwork({
    allow: ['10.0.0.1', '192.168.4.0/22', '2001:db8::/32'] })).allow
  const table: Array<[string, boolean]> = [
    ['10.0.0.1', true],
    ['10.0.0.100', false],
    ['10.0.0.10', false],
    ['192.168.4.0', true],
    ['192.168.7.255', true],
    ['192.168.8.0', false],
    ['::ffff:192.168.5.1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:10.0.0.2', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['not an ip', false],
    ['', false],
  ]
  for (const [ip, allowed] of table) t.is(ipAllowed(ip, ranges), allowed, ip)
})

test('Basic auth is compared whole and a length mismatch is a clean refusal', (t) => {
  const creds = { user: 'terminal', password }
  const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`
  t.true(basicAuthOk(header(`terminal:${password}`), creds))
  t.false(basicAuthOk(header(`terminal:${password.slice(0, -1)}`), creds))
  t.false(basicAuthOk(header(`terminal:${password}:`), creds))
  t.false(basicAuthOk(header('terminal'), creds))
  t.false(basicAuthOk(header(''), creds))
  t.false(basicAuthOk(undefined, creds))
  t.false(basicAuthOk('Basic', creds))
})

test('allow-list entries that are not addresses are refused with the value named', (t) => {
  for (const bad of ['10.0.0', '10.0.0.0/33', '010.0.0.1', 'example.org', '']) {
    const parsed = osmpOptions.safeParse(osmpNetwork({ allow: [bad] }))
    t.false(parsed.success, bad)
  }
  const fromEnv = osmpOptions.parse(osmpNetwork({ allow: '10.1.0.0/16, 10.2.0.0/16' }))
  t.is(fromEnv.allow.length, 2)
})
