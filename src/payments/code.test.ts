import test from 'ava'
import { isPaymentCode, luhnCheckDigit, newPaymentCode } from './code.ts'

test('the Luhn check digit matches known numbers', (t) => {
  const table: Array<[string, number]> = [
    ['7992739871', 3],
    ['4992739871', 6],
    ['37828224631000', 5],
    ['0', 0],
  ]
  for (const [body, digit] of table) t.is(luhnCheckDigit(body), digit, body)
})

test('new payment codes are 15 digits with a valid check digit and no leading zero', (t) => {
  for (let i = 0; i < 2000; i++) {
    const code = newPaymentCode()
    t.regex(code, /^[1-9]\d{14}$/)
    t.true(isPaymentCode(code))
  }
})

test('a mistyped digit makes a code invalid', (t) => {
  const code = newPaymentCode()
  for (let i = 0; i < code.length; i++) {
    const d = Number(code[i])
    const typo = code.slice(0, i) + String((d + 1) % 10) + code.slice(i + 1)
    if (typo[0] !== '0') t.false(isPaymentCode(typo), typo)
  }
  t.false(isPaymentCode(code.slice(1)))
  t.false(isPaymentCode(`${code}0`))
})

test('codes do not repeat and use every digit', (t) => {
  const codes = new Set(Array.from({ length: 5000 }, newPaymentCode))
  t.is(codes.size, 5000)
  const digits = new Set([...codes].join(''))
  t.is(digits.size, 10)
})
