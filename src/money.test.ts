import test from 'ava'
import type { ErrorCode, GatewayError } from './errors.ts'
import { checkCurrency, formatAmount, parseAmount } from './money.ts'

const good: Array<[string, bigint]> = [
  ['10.45', 1045n], ['10', 1000n], ['10.4', 1040n], ['0.01', 1n], ['0.10', 10n],
  ['1000.00', 100000n], ['33139.73', 3313973n], ['2557.68', 255768n], ['8.16', 816n],
]
for (const [raw, q] of good) {
  test(`amount "${raw}" parses to ${q} qəpik`, (t) => {
    t.is(parseAmount(raw), q)
  })
}

const bad: Array<[string, ErrorCode]> = [
  ['10,45', 'amount_format'], ['1 000', 'amount_format'], ['1e3', 'amount_format'],
  ['-5', 'amount_format'], ['-5.00', 'amount_format'], ['10.455', 'amount_format'],
  ['', 'amount_format'], ['+5', 'amount_format'], ['.5', 'amount_format'], ['5.', 'amount_format'],
  ['0.00', 'amount_too_small'], ['0', 'amount_too_small'], ['00.10', 'amount_format'],
  ['1.000,50', 'amount_format'], [' 10.45', 'amount_format'], ['0x10', 'amount_format'],
  ['1234567890', 'amount_too_large'], ['99999999999.00', 'amount_too_large'],
  ['٣', 'amount_format'], ['10.45\u0000\u001b', 'amount_format'],
]
for (const [raw, code] of bad) {
  test(`amount "${raw}" is refused as ${code}`, (t) => {
    const err = t.throws<GatewayError>(() => parseAmount(raw))
    t.is(err?.code, code)
  })
}

test('an amount over the maximum is refused as too large', (t) => {
  t.is(parseAmount('5000.00', 500000n), 500000n)
  const err = t.throws<GatewayError>(() => parseAmount('5000.01', 500000n))
  t.is(err?.code, 'amount_too_large')
})

test('qəpik format with two decimals', (t) => {
  t.is(formatAmount(1045n), '10.45')
  t.is(formatAmount(5n), '0.05')
  t.is(formatAmount(100000n), '1000.00')
  t.is(formatAmount(-250n), '-2.50')
})

test('currency accepts AZN and 944 only', (t) => {
  t.notThrows(() => checkCurrency('AZN'))
  t.notThrows(() => checkCurrency('944'))
  t.notThrows(() => checkCurrency(undefined))
  t.throws(() => checkCurrency('USD'))
  t.throws(() => checkCurrency('840'))
})

test('a refused amount is echoed without control characters', (t) => {
  const err = t.throws<GatewayError>(() => parseAmount('10.45\u0000\u0001\u001b'))
  t.is(err?.message, 'amount "10.45???" is not a decimal like 10.45')
})
