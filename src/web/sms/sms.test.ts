import { Writable } from 'node:stream'
import test from 'ava'
import nock from 'nock'
import { pino } from 'pino'
import { isGatewayError } from '../../errors.ts'
import { redactPaths } from '../../log.ts'
import { createSms, httpSms, logSms, maskPhone } from './index.ts'

const smsUrl = 'http://127.0.0.1:9/sms/send'

function captureLog(level = 'debug') {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const log = pino({ level, redact: { paths: redactPaths, censor: '[redacted]' } }, sink)
  return { log, lines }
}

test.before(() => nock.disableNetConnect())
test.afterEach.always(() => nock.cleanAll())
test.after.always(() => nock.enableNetConnect())

test.serial('the http driver posts the number and text as JSON', async (t) => {
  let body: unknown
  const scope = nock('http://127.0.0.1:9')
    .post('/sms/send', (b) => {
      body = b
      return true
    })
    .matchHeader('content-type', 'application/json')
    .reply(200, { ok: true })
  const { log, lines } = captureLog()
  await httpSms({ url: smsUrl, log }).send({ to: '+994501234567', text: 'Kod: 123456' })
  t.true(scope.isDone())
  t.deepEqual(body, { to: '+994501234567', text: 'Kod: 123456' })
  const sent = lines.find((l) => l.msg === 'sms sent')
  t.is(sent?.to, '+99450*****67')
  t.false(JSON.stringify(lines).includes('123456'))
})

test.serial('the http driver reports an error answer as unavailable', async (t) => {
  nock('http://127.0.0.1:9').post('/sms/send').reply(503, 'busy')
  const { log } = captureLog()
  const err = await t.throwsAsync(
    httpSms({ url: smsUrl, log }).send({ to: '+994501234567', text: 'x' }))
  t.true(isGatewayError(err, 'unavailable'))
  t.true(err?.message.includes('503'))
})

test.serial('the http driver reports a connection failure as unavailable', async (t) => {
  nock('http://127.0.0.1:9').post('/sms/send').replyWithError('socket hang up')
  const { log } = captureLog()
  const err = await t.throwsAsync(
    httpSms({ url: smsUrl, log }).send({ to: '+994501234567', text: 'x' }))
  t.true(isGatewayError(err, 'unavailable'))
})

test.serial('the http driver gives up after its timeout', async (t) => {
  nock('http://127.0.0.1:9').post('/sms/send').delay(500).reply(200)
  const { log } = captureLog()
  const err = await t.throwsAsync(
    httpSms({ url: smsUrl, log, timeoutMs: 50 }).send({ to: '+994501234567', text: 'x' }))
  t.true(isGatewayError(err, 'unavailable'))
})

test('the log driver keeps the text out of info lines and shows it at debug', async (t) => {
  const info = captureLog('info')
  await logSms(info.log).send({ to: '+994551112233', text: 'Kod: 654321' })
  t.is(info.lines.length, 1)
  t.is(info.lines[0]?.to, '+99455*****33')
  t.false(JSON.stringify(info.lines).includes('654321'))

  const debug = captureLog('debug')
  await logSms(debug.log).send({ to: '+994551112233', text: 'Kod: 654321' })
  const dev = debug.lines.find((l) => l.level === 20)
  t.is(dev?.text, 'Kod: 654321')
  t.false(JSON.stringify(debug.lines).includes('+994551112233'))
})

test('createSms picks the driver named in the configuration', (t) => {
  const { log } = captureLog()
  t.is(createSms({ smsDriver: 'log', smsUrl: undefined }, log).driver, 'log')
  t.is(createSms({ smsDriver: 'http', smsUrl }, log).driver, 'http')
})

test('phone numbers are masked to their prefix and last two digits', (t) => {
  t.is(maskPhone('+994501234567'), '+99450*****67')
  t.is(maskPhone('123'), '***')
})
