import { generateKeyPairSync } from 'node:crypto'
import test from 'ava'
import type { StatusOutcome } from '../../src/cards/processor.ts'
import type { GatewayError } from '../../src/errors.ts'
import { actionOutcome } from './codes.ts'
import { azericardAmount, isAzn, parseReportedAmount, utcTimestamp } from './format.ts'
import {
  hmacScheme, hmacSign, hmacVerify, legacyKey, legacyMacFields, macSource, rsaMacFields,
  rsaScheme, rsaSign, rsaVerify,
} from './mac.ts'
import {
  readCallback, readStatus, reversalRequest, saleRequest, statusRequest, type TerminalSettings,
} from './messages.ts'

const show = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => typeof x === 'bigint' ? String(x) : x)

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 })
const gateway = generateKeyPairSync('rsa', { modulusLength: 2048 })

const settings: TerminalSettings = {
  terminal: '17202191',
  scheme: rsaScheme(merchant.privateKey, gateway.publicKey),
  merchantName: 'Imtahan Merkezi', merchantUrl: 'https://example.test', lang: 'AZ',
  description: 'Şəxsi kabinetin artırılması',
}

test('auth MAC source matches the reference known answer', (t) => {
  const source = macSource({
    AMOUNT: '11.48', CURRENCY: 'USD', TERMINAL: '99999999', TRTYPE: '1',
    TIMESTAMP: '20030105153021', NONCE: 'F2B2DD7E603A7ADA', MERCH_URL: 'www.sample.com',
  }, rsaMacFields.auth)
  t.is(source, '511.483USD89999999911142003010515302116F2B2DD7E603A7ADA14www.sample.com')
})

const callbackFields = {
  AMOUNT: '11.48', TERMINAL: '99999999', APPROVAL: '168975', RRN: '306276834930',
  INT_REF: '4A29E93C607E33DC',
}

test('callback MAC source matches the reference known answer', (t) => {
  t.is(macSource(callbackFields, rsaMacFields.callback),
    '511.48899999999616897512306276834930164A29E93C607E33DC')
})

test('an empty APPROVAL is a lone dash without a length', (t) => {
  t.is(macSource({ ...callbackFields, APPROVAL: '' }, rsaMacFields.callback),
    '511.48899999999-12306276834930164A29E93C607E33DC')
  t.is(macSource({ ...callbackFields, APPROVAL: undefined }, rsaMacFields.callback),
    '511.48899999999-12306276834930164A29E93C607E33DC')
})

test('status MAC source matches the reference known answer of 62 characters', (t) => {
  const source = macSource({
    ORDER: '20211112075614', TERMINAL: '17202191', TRTYPE: '90',
    TIMESTAMP: '20211112075714', NONCE: '7cfb4c2512eeec72',
  }, rsaMacFields.status)
  t.is(source, '14202111120756148172021912901420211112075714167cfb4c2512eeec72')
  t.is(source.length, 62)
})

test('zero and a space are present values with a length', (t) => {
  t.is(macSource({ A: '0', B: ' ' }, ['A', 'B']), '101 ')
})

test('lengths count UTF-8 bytes, not characters', (t) => {
  const desc = 'İmtahan ödənişi – Əliyev ₼'
  const source = macSource({ DESC: desc }, ['DESC'])
  t.is(source, `${Buffer.byteLength(desc, 'utf8')}${desc}`)
  t.not(Buffer.byteLength(desc, 'utf8'), desc.length)
})

test('legacy HMAC-SHA1 matches the reference known answer with the hex-decoded key', (t) => {
  t.is(hmacSign(legacyKey('1234AB'), 'text'), '115110f072f734a729ebd0e7b65cfd8662fef682')
  t.true(hmacVerify(legacyKey('1234AB'), 'text', '115110F072F734A729EBD0E7B65CFD8662FEF682'))
})

test('a legacy key of odd length or with non-hex digits is refused', (t) => {
  t.throws(() => legacyKey('1234ABC'), { message: /even number of digits/ })
  t.throws(() => legacyKey('12zz'))
  t.throws(() => legacyKey(''))
})

test('HMAC verification rejects a short, long or non-hex signature cleanly', (t) => {
  const key = legacyKey('00112233445566778899AABBCCDDEEFF')
  const good = hmacSign(key, 'abc')
  t.true(hmacVerify(key, 'abc', good))
  t.false(hmacVerify(key, 'abc', good.slice(0, -2)))
  t.false(hmacVerify(key, 'abc', `${good}00`))
  t.false(hmacVerify(key, 'abc', 'zz'.repeat(20)))
  t.false(hmacVerify(key, 'abd', good))
})

test('RSA signatures round-trip in either hex case and fail on any change', (t) => {
  const source = macSource(callbackFields, rsaMacFields.callback)
  const sig = rsaSign(gateway.privateKey, source)
  t.true(rsaVerify(gateway.publicKey, source, sig))
  t.true(rsaVerify(gateway.publicKey, source, sig.toLowerCase()))
  t.false(rsaVerify(gateway.publicKey, `${source}0`, sig))
  t.false(rsaVerify(merchant.publicKey, source, sig))
  t.false(rsaVerify(gateway.publicKey, source, sig.slice(0, -2)))
  t.false(rsaVerify(gateway.publicKey, source, ''))
  t.false(rsaVerify(gateway.publicKey, source, 'not hex at all'))
})

function gatewayCallback(fields: Record<string, string>) {
  const source = macSource(fields, rsaMacFields.callback)
  return { ...fields, P_SIGN: rsaSign(gateway.privateKey, source) }
}

const callback = {
  TERMINAL: '17202191', TRTYPE: '1', ORDER: '20261204123456', AMOUNT: '50.00', CURRENCY: '944',
  ACTION: '0', RC: '00', APPROVAL: '168975', RRN: '306276834930', INT_REF: '4A29E93C607E33DC',
  TIMESTAMP: '20261204100000', NONCE: 'AB12', CARD: '4169****1234',
}

test('a signed callback verifies and reads as a paid hint for its order', (t) => {
  const notice = readCallback(settings, gatewayCallback(callback))
  t.is(notice.orderNumber, '20261204123456')
  t.is(notice.amount, 5000n)
  t.is(notice.hint, 'paid')
  t.deepEqual(notice.refs, { rrn: '306276834930', intRef: '4A29E93C607E33DC' })
  t.false(show(notice).includes('4169'))
})

test('a callback verifies whatever order its fields come in and with extra fields', (t) => {
  const signed = gatewayCallback(callback)
  const shuffled = Object.fromEntries(Object.entries({ FOO: 'bar', ...signed }).reverse())
  t.is(readCallback(settings, shuffled).orderNumber, callback.ORDER)
})

test('a callback with a changed signed field, no P_SIGN or another terminal is refused', (t) => {
  const signed = gatewayCallback(callback)
  const changed = t.throws<GatewayError>(() =>
    readCallback(settings, { ...signed, AMOUNT: '5.00' }))
  t.is(changed?.code, 'unauthorized')
  const unsigned: Record<string, string> = { ...signed }
  delete unsigned.P_SIGN
  t.is(t.throws<GatewayError>(() => readCallback(settings, unsigned))?.code, 'unauthorized')
  const other = gatewayCallback({ ...callback, TERMINAL: '99999999' })
  t.is(t.throws<GatewayError>(() => readCallback(settings, other))?.code, 'unauthorized')
})

test('the RSA callback MAC does not cover ORDER or ACTION, so they stay hints', (t) => {
  const signed = gatewayCallback(callback)
  const moved = readCallback(settings, { ...signed, ORDER: '20261204999999', ACTION: '2' })
  t.is(moved.orderNumber, '20261204999999')
  t.is(moved.hint, 'declined')
})

test('a legacy HMAC terminal signs ORDER, ACTION and RC in its callbacks', (t) => {
  const key = legacyKey('00112233445566778899AABBCCDDEEFF')
  const legacy = { ...settings, scheme: hmacScheme(key) }
  const body = { ...callback, P_SIGN: hmacSign(key, macSource(callback, legacyMacFields.callback)) }
  t.is(readCallback(legacy, body).hint, 'paid')
  t.throws(() => readCallback(legacy, { ...body, ORDER: '20261204999999' }))
  t.throws(() => readCallback(legacy, { ...body, ACTION: '2' }))
})

test('the sale form is signed over the auth fields and the merchant key verifies it', (t) => {
  const order = { orderNumber: '20261204123456', amount: 1148n, createdAt: new Date(), refs: {} }
  const form = saleRequest(settings, order, 'https://gw.test/kartla-odenis/azericard/qayit',
    new Date('2026-12-04T21:30:05Z'))
  t.is(form.AMOUNT, '11.48')
  t.is(form.CURRENCY, 'AZN')
  t.is(form.TRTYPE, '1')
  t.is(form.TIMESTAMP, '20261204213005')
  t.regex(form.NONCE ?? '', /^[0-9A-F]{32}$/)
  t.true(rsaVerify(merchant.publicKey, macSource(form, rsaMacFields.auth), form.P_SIGN ?? ''))
})

test('status and reversal requests are signed over their own field orders', (t) => {
  const status = statusRequest(settings, '20261204123456')
  t.is(status.TRTYPE, '90')
  t.is(status.TRAN_TRTYPE, '1')
  t.true(rsaVerify(merchant.publicKey, macSource(status, rsaMacFields.status), status.P_SIGN ?? ''))
  const order = { orderNumber: '20261204123456', amount: 5000n, createdAt: new Date(),
    refs: { rrn: '306276834930', intRef: '4A29E93C607E33DC' } }
  const reversal = reversalRequest(settings, order)
  t.is(reversal.TRTYPE, '24')
  t.is(reversal.AMOUNT, '50.00')
  t.true(rsaVerify(merchant.publicKey, macSource(reversal, rsaMacFields.adjust),
    reversal.P_SIGN ?? ''))
  t.throws(() => reversalRequest(settings, { ...order, refs: {} }))
})

const actionTable: Array<[string | undefined, string | undefined, StatusOutcome]> = [
  ['0', '00', 'paid'], ['0', undefined, 'paid'], ['0', '', 'paid'], ['0', '05', 'pending'],
  ['1', '00', 'pending'], ['2', '05', 'declined'], ['3', '-24', 'absent'],
  ['3', '-19', 'pending'], ['3', undefined, 'pending'],
  ['6', '05', 'declined'], ['7', '-19', 'declined'], ['8', undefined, 'pending'],
  ['9', '00', 'pending'], [undefined, undefined, 'pending'], ['', '00', 'pending'],
]
for (const [action, rc, outcome] of actionTable) {
  const name = action === undefined ? 'absent' : `"${action}"`
  test(`ACTION ${name} with RC ${rc ?? 'absent'} is ${outcome}`, (t) => {
    t.is(actionOutcome(action, rc), outcome)
  })
}

test('a camelCase JSON status answer reads amount, currency and references', (t) => {
  const raw = JSON.stringify({ terminal: '17202191', actionCode: 0, responseCode: '00',
    statusMsg: 'Approved', card: '4169****1234', amount: 50, currency: '944',
    rrn: '306276834930', intRef: '4A29E93C607E33DC', approval_id: '168975' })
  const r = readStatus(settings, '20261204123456', raw)
  t.is(r.outcome, 'paid')
  t.is(r.amount, 5000n)
  t.true(isAzn(r.currency))
  t.deepEqual(r.refs, { rrn: '306276834930', intRef: '4A29E93C607E33DC' })
  t.false(show(r).includes('4169'))
})

test('a status answer naming another order, or unreadable, is pending', (t) => {
  const other = JSON.stringify({ ORDER: '20261204000001', ACTION: '0', RC: '00' })
  t.is(readStatus(settings, '20261204123456', other).outcome, 'pending')
  t.is(readStatus(settings, '20261204123456', '<html>oops</html>').outcome, 'pending')
  t.is(readStatus(settings, '20261204123456', '{not json').outcome, 'pending')
  const form = 'ACTION=2&RC=05&ORDER=20261204123456&AMOUNT=50.00'
  t.is(readStatus(settings, '20261204123456', form).outcome, 'declined')
})

const amounts: Array<[unknown, bigint | null]> = [
  ['11.48', 1148n], ['50', 5000n], ['50.5', 5050n], [50, 5000n], [10.5, 1050n], [0.1, 10n],
  ['10,45', null], ['1e3', null], ['-5', null], ['10.455', null], [1e21, null], ['', null],
  [null, null], [Number.NaN, null], [-1, null],
]
for (const [raw, q] of amounts) {
  test(`a reported amount ${String(raw)} (${typeof raw}) reads as ${q}`, (t) => {
    t.is(parseReportedAmount(raw), q)
  })
}

test('amounts go out with exactly two decimals', (t) => {
  t.is(azericardAmount(5000n), '50.00')
  t.is(azericardAmount(2250n), '22.50')
  t.is(azericardAmount(1n), '0.01')
  t.throws(() => azericardAmount(0n))
})

test('AZN and 944 are the same currency in any case; others are not', (t) => {
  t.true(isAzn('AZN'))
  t.true(isAzn('azn'))
  t.true(isAzn('944'))
  t.true(isAzn(944))
  t.false(isAzn('840'))
  t.false(isAzn('USD'))
  t.false(isAzn(null))
})

test('TIMESTAMP is GMT whatever the host time zone', (t) => {
  t.is(utcTimestamp(new Date('2026-12-04T21:30:05Z')), '20261204213005')
  t.is(utcTimestamp(new Date('2026-12-05T01:30:00+04:00')), '20261204213000')
})
