import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import { loadProvidersFile } from './providers.ts'

function file(content: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-providers-'))
  const f = path.join(dir, 'providers.json')
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content))
  return f
}

test('env: values are replaced from the environment', (t) => {
  const f = file({ providers: { milli: { protocol: 'osmp', password: 'env:MILLI_PW' } } })
  const p = loadProvidersFile(f, { MILLI_PW: 's3cret' })
  t.is((p.providers.milli as Record<string, unknown>).password, 's3cret')
  t.is(p.providers.milli?.timeZone, 'Asia/Baku')
})

test('an enabled provider with an unset secret names the variable', (t) => {
  const f = file({ providers: { milli: { protocol: 'osmp', password: 'env:MILLI_PW' } } })
  const err = t.throws(() => loadProvidersFile(f, {}))
  t.regex(err?.message ?? '', /providers\.milli\.password: environment variable MILLI_PW/)
})

test('a disabled provider keeps its zone and drops its unset secrets', (t) => {
  const f = file({ providers: { milli: { protocol: 'osmp', enabled: false,
    timeZone: 'Europe/Moscow', password: 'env:MILLI_PW', allow: ['env:A', '10.0.0.0/8'] } } })
  const p = loadProvidersFile(f, {})
  const milli = p.providers.milli as Record<string, unknown>
  t.is(milli.timeZone, 'Europe/Moscow')
  t.false('password' in milli)
  t.deepEqual(milli.allow, ['10.0.0.0/8'])
})

test('a bad time zone, a bad id and broken JSON are refused with the place named', (t) => {
  t.throws(() => loadProvidersFile(file({ providers: { x: { protocol: 'osmp',
    timeZone: 'Mars/Olympus' } } })), { message: /providers\.x\.timeZone/ })
  t.throws(() => loadProvidersFile(file({ providers: { 'Bad Id': { protocol: 'osmp' } } })),
    { message: /providers\.Bad Id/ })
  t.throws(() => loadProvidersFile(file('{ "providers": ')), { message: /providers file/ })
  t.throws(() => loadProvidersFile('/nonexistent/providers.json'), { message: /ENOENT/ })
})

test('a service client token shorter than 16 characters is refused', (t) => {
  t.throws(() => loadProvidersFile(file({ providers: {},
    clients: { exams: { token: 'short' } } })), { message: /clients\.exams\.token/ })
})
