import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { validate } from '../main.ts'
import { createLogger } from '../log.ts'
import { loadProvidersFile } from '../providers.ts'
import { cardProcessors } from './processors.ts'
import { testKeys } from './testkit.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'cards-config-'))
let n = 0

function providersFile(providers: Record<string, unknown>): string {
  const file = path.join(dir, `providers-${n++}.json`)
  writeFileSync(file, JSON.stringify({ providers }))
  return file
}

function start(providers: Record<string, unknown>, env: Record<string, string> = {}) {
  return () => validate({ PROVIDERS_FILE: providersFile(providers), ...env })
}

const azericard = (extra: Record<string, unknown> = {}) => ({ azc: {
  protocol: 'azericard', terminal: '17202191', merchantName: 'M', merchantUrl: 'https://m.test',
  merchantKey: testKeys.merchant.privateKey, gatewayKey: testKeys.gateway.publicKey, ...extra,
} })

test('the shipped providers file enables only the sandbox card processor', (t) => {
  const shipped = new URL('../../config/providers.json', import.meta.url).pathname
  const processors = cardProcessors({ providers: loadProvidersFile(shipped, {}),
    log: createLogger('silent') })
  t.deepEqual([...processors.keys()], ['sandbox'])
  t.is(processors.get('sandbox')?.statusWindowMs, 60 * 60_000)
})

test('a fully keyed Azericard processor passes the start checks', (t) => {
  t.notThrows(start(azericard()))
})

test('an enabled processor whose key variable is unset stops the start', (t) => {
  t.throws(start(azericard({ merchantKey: 'env:AZC_TEST_UNSET_KEY' })),
    { message: /AZC_TEST_UNSET_KEY is not set/ })
})

test('an enabled processor with no key, a missing file or a bad key stops the start', (t) => {
  t.throws(start(azericard({ merchantKey: undefined })), { message: /azc\.merchantKey/ })
  t.throws(start(azericard({ merchantKey: '' })), { message: /azc\.merchantKey/ })
  t.throws(start(azericard({ gatewayKey: undefined })),
    { message: /azc\.gatewayKey: no key configured/ })
  t.throws(start(azericard({ merchantKey: path.join(dir, 'nothing.pem') })),
    { message: /azc\.merchantKey: key file .* does not exist/ })
  const junk = path.join(dir, 'junk.pem')
  writeFileSync(junk, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n')
  t.throws(start(azericard({ merchantKey: junk })),
    { message: /azc\.merchantKey: not a readable private key/ })
})

test('a legacy HMAC terminal needs an even-length hex key', (t) => {
  t.notThrows(start(azericard({ signing: 'hmac', merchantKey: '00112233445566778899AABB',
    gatewayKey: undefined })))
  t.throws(start(azericard({ signing: 'hmac', merchantKey: '1234ABC', gatewayKey: undefined })),
    { message: /even number of digits/ })
})

test('an enabled Epoint processor without its private key stops the start', (t) => {
  t.throws(start({ ep: { protocol: 'epoint', publicKey: 'i1' } }),
    { message: /ep\.privateKey/ })
  t.notThrows(start({ ep: { protocol: 'epoint', publicKey: 'i1', privateKey: 'long-secret-1' } }))
})

test('a disabled processor may leave its keys unset', (t) => {
  t.notThrows(start({ ep: { protocol: 'epoint', enabled: false,
    privateKey: 'env:EP_TEST_UNSET' } }))
})
