import test from 'ava'
import type { StatusOutcome } from '../../src/cards/processor.ts'
import type { GatewayError } from '../../src/errors.ts'
import { createLogger } from '../../src/log.ts'
import { epointOutcome } from './codes.ts'
import { epointOptions, epointProcessor, readEpointResult } from './index.ts'
import {
  decodePayload, encodePayload, epointSignature, signedForm, verifyEpointSignature,
} from './sign.ts'

const key = 'test-private-key'

test('the signature matches a known answer computed with Python hashlib', (t) => {
  // base64 of {"public_key": "i000000001", "amount": "10.45", "currency": "AZN",
  // "order_id": "20261204123456"} as Python's json.dumps writes it.
  const data = 'eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAiYW1vdW50IjogIjEwLjQ1IiwgImN1cnJlbmN5Ijo'
    + 'gIkFaTiIsICJvcmRlcl9pZCI6ICIyMDI2MTIwNDEyMzQ1NiJ9'
  t.is(epointSignature(key, data), '2fhnOX4uosfUd55hMmFiL14NiPk=')
  t.true(verifyEpointSignature(key, data, '2fhnOX4uosfUd55hMmFiL14NiPk='))
})

test('signatures round-trip and fail for another key, changed data or a cut signature', (t) => {
  const data = encodePayload({ order_id: '20261204123456', status: 'success' }, 1045n)
  const { signature } = signedForm(key, data)
  t.true(verifyEpointSignature(key, data, signature ?? ''))
  t.false(verifyEpointSignature('another-key-000', data, signature ?? ''))
  t.false(verifyEpointSignature(key, `${data}=`, signature ?? ''))
  t.false(verifyEpointSignature(key, data, (signature ?? '').slice(0, -4)))
  t.false(verifyEpointSignature(key, data, 'not base64!'))
  t.false(verifyEpointSignature(key, data, ''))
})

test('the amount goes into the JSON as a two-decimal number, never through a float', (t) => {
  const data = encodePayload({ order_id: '1' }, 1045n)
  t.is(Buffer.from(data, 'base64').toString('utf8'), '{"order_id":"1","amount":10.45}')
  t.is(Buffer.from(encodePayload({}, 5n), 'base64').toString('utf8'), '{"amount":0.05}')
  t.deepEqual(decodePayload(data), { order_id: '1', amount: 10.45 })
  t.is(decodePayload('bm90IGpzb24='), null)
  t.is(decodePayload('WzFd'), null)
})

const outcomes: Array<[string | undefined, string | undefined, StatusOutcome]> = [
  ['success', '000', 'paid'], ['success', undefined, 'paid'], ['success', '116', 'pending'],
  ['failed', '116', 'declined'], ['returned', undefined, 'declined'], ['new', undefined, 'absent'],
  ['error', '116', 'declined'], ['error', undefined, 'pending'], ['error', '909', 'pending'],
  ['server_error', undefined, 'pending'], ['something_else', '000', 'pending'],
  [undefined, '000', 'pending'],
]
for (const [status, code, outcome] of outcomes) {
  test(`epoint status ${status ?? 'absent'} with code ${code ?? 'absent'} is ${outcome}`, (t) => {
    t.is(epointOutcome(status, code), outcome)
  })
}

test('a status payload naming another order is pending', (t) => {
  const r = readEpointResult({ status: 'success', code: '000', order_id: '2', amount: 10 }, '1')
  t.is(r.outcome, 'pending')
  t.is(readEpointResult({ status: 'success', code: '000', order_id: '1', amount: 10 }, '1')
    .amount, 1000n)
})

const processor = epointProcessor('epoint', epointOptions.parse({
  protocol: 'epoint', publicKey: 'i000000001', privateKey: key,
}), { log: createLogger('silent') })

test('a signed callback verifies over the raw data and names its order', (t) => {
  const data = encodePayload({ status: 'success', code: '000', order_id: '20261204123456',
    transaction: 'te000123', rrn: '306276834930', card_mask: '416973******1234' }, 5000n)
  const notice = processor.verifyCallback(signedForm(key, data))
  t.is(notice.orderNumber, '20261204123456')
  t.is(notice.amount, 5000n)
  t.is(notice.hint, 'paid')
  t.deepEqual(notice.refs, { transaction: 'te000123', rrn: '306276834930' })
})

test('a callback with a forged or missing signature is refused as unauthorized', (t) => {
  const data = encodePayload({ status: 'success', order_id: '20261204123456' }, 5000n)
  const forged = signedForm('attacker-key-1', data)
  t.is(t.throws<GatewayError>(() => processor.verifyCallback(forged))?.code, 'unauthorized')
  t.is(t.throws<GatewayError>(() => processor.verifyCallback({ data }))?.code, 'unauthorized')
})

test('an epoint entry without a private key, or with a missing key file, is refused', (t) => {
  for (const privateKey of [undefined, '', 'keys/missing-epoint.key']) {
    const parsed = epointOptions.safeParse({ protocol: 'epoint', publicKey: 'i1', privateKey })
    t.false(parsed.success)
    t.deepEqual(parsed.error?.issues[0]?.path, ['privateKey'])
  }
})
