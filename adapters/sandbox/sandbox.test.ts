import { createPrivateKey } from 'node:crypto'
import test from 'ava'
import { createLogger } from '../../src/log.ts'
import { startFakeAzericard, testKeys, openHostedPage } from '../../src/cards/testkit.ts'
import { utcTimestamp } from '../azericard/format.ts'
import { macSource, rsaMacFields, rsaSign } from '../azericard/mac.ts'
import { sandboxOptions } from './index.ts'
import { startSandbox } from './server.ts'

const merchantKey = createPrivateKey(testKeys.merchant.privateKey)

function sale(extra: Record<string, string> = {}) {
  const f: Record<string, string> = { AMOUNT: '12.30', CURRENCY: 'AZN', ORDER: '20261204111111',
    TERMINAL: 'SANDBOX1', TRTYPE: '1', TIMESTAMP: utcTimestamp(), NONCE: 'AB12CD34',
    MERCH_URL: 'http://127.0.0.1', BACKREF: 'http://127.0.0.1:1/cards/sandbox/return', ...extra }
  return { ...f, P_SIGN: rsaSign(merchantKey, macSource(f, rsaMacFields.auth)) }
}

test('the hosted page shows the amount with pay and decline buttons', async (t) => {
  const fake = await startFakeAzericard()
  t.teardown(fake.close)
  const page = await openHostedPage(fake.url, sale())
  t.is(page.status, 200)
  t.regex(page.body, /12\.30 AZN/)
  t.regex(page.body, />Ödə</)
  t.regex(page.body, />İmtina et</)
})

test('the sandbox refuses a sale with a bad signature or a local-time TIMESTAMP', async (t) => {
  const fake = await startFakeAzericard()
  t.teardown(fake.close)
  const tampered = { ...sale(), AMOUNT: '1.00' }
  t.is((await openHostedPage(fake.url, tampered)).status, 400)
  const baku = utcTimestamp(new Date(Date.now() + 4 * 60 * 60_000))
  t.is((await openHostedPage(fake.url, sale({ TIMESTAMP: baku }))).status, 400)
  t.is(fake.sandbox.orders.size, 0)
})

test('the sandbox signs callbacks over the five RSA fields with its gateway key', async (t) => {
  const fake = await startFakeAzericard()
  t.teardown(fake.close)
  await openHostedPage(fake.url, sale())
  const cb = fake.sandbox.decide('20261204111111', 'pay')
  t.is(cb.ACTION, '0')
  t.is(cb.AMOUNT, '12.30')
  t.regex(cb.RRN ?? '', /^\d{12}$/)
  t.is(cb.P_SIGN, rsaSign(createPrivateKey(testKeys.gateway.privateKey),
    macSource(cb, rsaMacFields.callback)))
})

test('a sandbox entry must point at a loopback address', (t) => {
  const bad = sandboxOptions.safeParse({ protocol: 'sandbox',
    url: 'https://testmpi.3dsecure.az/cgi-bin/cgi_link' })
  t.false(bad.success)
  t.regex(bad.error?.message ?? '', /loopback/)
  const good = sandboxOptions.safeParse({ protocol: 'sandbox' })
  t.true(good.success, good.error?.message)
})

test('the sandbox server listens on loopback only', async (t) => {
  await t.throwsAsync(startSandbox({ host: '0.0.0.0', log: createLogger('silent') }),
    { message: /loopback/ })
  const { server, url } = await startSandbox({ port: 0, log: createLogger('silent') })
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/cgi_link$/)
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ TRTYPE: '90' }) })
  t.is(res.status, 400)
})
