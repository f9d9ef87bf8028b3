import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { loadProvidersFile } from '../../src/providers.ts'
import { configureProviders } from '../index.ts'
import type { OsmpOptions } from './options.ts'

const shipped = new URL('../../config/providers.json', import.meta.url)

test('the shipped providers file starts with only the demo network enabled', (t) => {
  const byProtocol = configureProviders(loadProvidersFile(shipped.pathname, {}))
  const osmp = byProtocol.get('osmp') as Array<{ id: string; options: OsmpOptions }>
  t.deepEqual(osmp.map((n) => n.id), ['demo'])
  t.is(osmp[0]?.options.basicAuth, undefined)
  t.is(osmp[0]?.options.timeZone, 'Asia/Baku')
})

test('milli and emanat, once enabled with their secrets, keep their known variations',
  (t) => {
    const raw = JSON.parse(readFileSync(shipped, 'utf8'))
    raw.providers.milli.enabled = true
    raw.providers.emanat.enabled = true
    const file = path.join(tmpdir(), `providers-osmp-${process.pid}.json`)
    writeFileSync(file, JSON.stringify(raw))
    const env = {
      MILLI_ALLOW: '192.0.2.0/24', MILLI_USER: 'milli', MILLI_PASSWORD: 'a-long-password-1',
      EMANAT_ALLOW: '198.51.100.7,198.51.100.8', EMANAT_USER: 'emanat',
      EMANAT_PASSWORD: 'a-long-password-2',
    }
    const nets = new Map((configureProviders(loadProvidersFile(file, env)).get('osmp') as
      Array<{ id: string; options: OsmpOptions }>).map((n) => [n.id, n.options]))
    t.is(nets.get('milli')?.replyName, 'addinfo')
    t.is(nets.get('milli')?.basicAuth?.user, 'milli')
    t.is(nets.get('emanat')?.servicetype, true)
    t.is(nets.get('emanat')?.allow.length, 2)
    t.is(nets.get('emanat')?.minSum, 100n)
    t.throws(() => loadProvidersFile(file, {}), { message: /MILLI_ALLOW is not set/ })
  })

test('a bad network entry names the provider and the field', (t) => {
  const bad = (entry: Record<string, unknown>) => () => configureProviders({ clients: {},
    providers: { x: { protocol: 'osmp', enabled: true, timeZone: 'Asia/Baku',
      allow: ['127.0.0.1'], ...entry } } })
  t.throws(bad({ minSum: '10,00' }), { message: /providers\.x\.minSum/ })
  t.throws(bad({ minSum: '10.00', maxSum: '5.00' }), { message: /minSum must not be above/ })
  t.throws(bad({ account: 'fin' }), { message: /providers\.x\.account/ })
  t.throws(bad({ mismatchResult: 1 }), { message: /providers\.x\.mismatchResult/ })
  t.throws(bad({ basicAuth: { user: 'u', password: 'short' } }),
    { message: /providers\.x\.basicAuth\.password/ })
  t.throws(bad({ colour: 'blue' }), { message: /colour/ })
  t.throws(bad({ protocol: 'smoke-signals' }), { message: /unknown protocol "smoke-signals"/ })
})
