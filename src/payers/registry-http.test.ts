import test from 'ava'
import nock from 'nock'
import { pino } from 'pino'
import type { GatewayError } from '../errors.ts'
import { createRegistry, httpRegistry } from './registry.ts'

// Nothing leaves the process: the registry host below exists only in nock.
const base = 'http://127.0.0.1:7811/registry'
const silent = pino({ level: 'silent' })
const registry = httpRegistry(base, { timeoutMs: 300, log: silent })

const hamidov = {
  document: 'AA0123456', fin: '5ZX9K2L', surname: 'HƏMİDOV', name: 'VÜSAL',
  patronymic: 'MUSƏYRƏLİ OĞLU', sex: 'male', birth_date: '1977-11-30', citizenship: 'AZE',
  district: 'Nəsimi', address: 'Bakı şəh. Nəsimi ray. S.Vurğun küç. 12 m. 4',
}

test.before(() => {
  nock.disableNetConnect()
})
test.afterEach.always(() => {
  nock.cleanAll()
})
test.after.always(() => {
  nock.enableNetConnect()
})

test.serial('a known document comes back as a person', async (t) => {
  const scope = nock('http://127.0.0.1:7811', { reqheaders: { accept: 'application/json' } })
    .get('/registry/people/AA0123456').reply(200, hamidov)
  const person = await registry.findByDocument(' аа 012-3456 ')
  t.deepEqual(person, {
    document: 'AA0123456', series: '-', documentNumber: 'AA0123456', fin: '5ZX9K2L',
    surname: 'HƏMİDOV', name: 'VÜSAL', patronymic: 'MUSƏYRƏLİ OĞLU', sex: 'male',
    birthDate: '1977-11-30', citizenship: 'AZE', district: 'Nəsimi',
    address: 'Bakı şəh. Nəsimi ray. S.Vurğun küç. 12 m. 4',
  })
  t.true(scope.isDone())
})

test.serial('an unknown document is null', async (t) => {
  nock('http://127.0.0.1:7811').get('/registry/people/AZE12345678')
    .reply(404, { error: 'not found' })
  t.is(await registry.findByDocument('AZE12345678'), null)
})

test.serial('a malformed document is refused without asking the registry', async (t) => {
  const scope = nock('http://127.0.0.1:7811').get(/.*/).reply(200, hamidov)
  const err = await t.throwsAsync<GatewayError>(registry.findByDocument('AA12'))
  t.is(err?.code, 'account_format')
  t.false(scope.isDone())
})

const faults: Array<[string, (s: nock.Interceptor) => nock.Scope, RegExp]> = [
  ['HTTP 500', (s) => s.reply(500, 'oops'), /answered HTTP 500/],
  ['HTTP 503', (s) => s.reply(503), /answered HTTP 503/],
  ['HTTP 401', (s) => s.reply(401), /answered HTTP 401/],
  ['a slow answer', (s) => s.delay(1000).reply(200, hamidov), /did not answer within 300 ms/],
  ['a dropped connection', (s) => s.replyWithError({ code: 'ECONNRESET' }), /unreachable/],
  ['HTML instead of JSON', (s) => s.reply(200, '<html>maintenance</html>'), /unreadable JSON/],
  ['a JSON list', (s) => s.reply(200, [hamidov]), /other than a person/],
  ['a person with a bad FIN', (s) => s.reply(200, { ...hamidov, fin: '5ZX' }),
    /invalid person: FIN must be 7/],
  ['a person missing a field', (s) => s.reply(200, { ...hamidov, surname: undefined }),
    /invalid person: surname is empty/],
  ['another document', (s) => s.reply(200, { ...hamidov, document: 'AA7654321' }),
    /for another document/],
]
for (const [what, answer, message] of faults) {
  test.serial(`${what} from the registry is 'unavailable'`, async (t) => {
    answer(nock('http://127.0.0.1:7811').get('/registry/people/AA0123456'))
    const err = await t.throwsAsync<GatewayError>(registry.findByDocument('AA0123456'))
    t.is(err?.code, 'unavailable')
    t.true(err?.retryable)
    t.regex(err?.message ?? '', message)
    t.notRegex(err?.message ?? '', /5ZX9K2L/)
  })
}

test.serial('the http driver is picked when configured, and needs a URL', async (t) => {
  nock('http://127.0.0.1:7811').get('/registry/people/AA0123456').reply(404)
  const http = createRegistry({ registryDriver: 'http', registryUrl: `${base}/` },
    {} as never)
  t.is(await http.findByDocument('AA0123456'), null)
  t.throws(() => createRegistry({ registryDriver: 'http', registryUrl: undefined },
    {} as never), { message: /REGISTRY_URL is required/ })
})
