import test from 'ava'
import fc from 'fast-check'
import type { GatewayError } from '../errors.ts'
import { dammInterim } from './damm.ts'
import {
  cabinetCheckDigit, cabinetNumberFromBase, normaliseRef, parseCabinetNumber, parseDocument,
  parseDocumentParts, parseFin,
} from './formats.ts'

const refs: Array<[string, string]> = [
  [' aa 012-3456 ', 'AA0123456'],
  ['\u0410\u0410\u00a00123456', 'AA0123456'], // Cyrillic АА and a no-break space
  ['\u0430\u0430\u20130123456', 'AA0123456'], // Cyrillic аа and an en dash
  ['\u0410ZE 1234 5678', 'AZE12345678'],
  ['my\u0130\t0045678', 'MYI0045678'], // Azerbaijani capital İ
  ['\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425', 'BEKMHOPCTYX'],
  ['\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445', 'BEKMHOPCTYX'],
]
for (const [input, expected] of refs) {
  test(`reference ${JSON.stringify(input)} normalises to ${expected}`, (t) => {
    t.is(normaliseRef(input), expected)
  })
}

const documents: Array<[string, string, string, string]> = [
  ['AA0123456', '-', 'AA0123456', 'AA0123456'],
  [' aa0123456 ', '-', 'AA0123456', 'AA0123456'],
  ['\u0410\u04100123456', '-', 'AA0123456', 'AA0123456'],
  ['AZE12345678', 'AZE', '12345678', 'AZE12345678'],
  ['aze-1234-5678', 'AZE', '12345678', 'AZE12345678'],
  ['AZE00000001', 'AZE', '00000001', 'AZE00000001'],
  ['MYI0045678', 'MYI', '0045678', 'MYI0045678'],
  ['myı 00456789', 'MYI', '00456789', 'MYI00456789'],
  ['DYI0007777', 'DYI', '0007777', 'DYI0007777'],
  ['dyi 0007 7770', 'DYI', '00077770', 'DYI00077770'],
]
for (const [input, series, number, document] of documents) {
  test(`document ${JSON.stringify(input)} parses as series ${series} number ${number}`, (t) => {
    t.deepEqual(parseDocument(input), { series, number, document })
  })
}

const badDocuments: Array<[string, RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  ['AA012345', /AA and 7 digits/],
  ['AA01234567', /AA and 7 digits/],
  ['AA012345O', /AA and 7 digits/],
  ['AA\uff10123456', /AA and 7 digits/], // a full-width zero
  ['AZE1234567', /AZE and 8 digits/],
  ['AZE123456789', /AZE and 8 digits/],
  ['MYI123456', /MYI and 7 or 8 digits/],
  ['MYI123456789', /MYI and 7 or 8 digits/],
  ['DYI', /DYI and 7 or 8 digits/],
  ['XY1234567', /not recognised/],
  ['0123456', /not recognised/],
  ['1000015', /not recognised/],
  ['A\u04121234567', /not recognised/], // Cyrillic В is Latin B, not A
]
for (const [input, message] of badDocuments) {
  test(`document ${JSON.stringify(input)} is refused as a wrong format`, (t) => {
    const err = t.throws<GatewayError>(() => parseDocument(input))
    t.is(err?.code, 'account_format')
    t.regex(err?.message ?? '', message)
  })
}

const parts: Array<[string, string, string]> = [
  ['-', 'AA0123456', 'AA0123456'],
  ['', 'aa 0123456', 'AA0123456'],
  ['AA', '0123456', 'AA0123456'],
  ['AZE', '12345678', 'AZE12345678'],
  ['aze', 'AZE12345678', 'AZE12345678'],
  ['MYI', '0045678', 'MYI0045678'],
]
for (const [series, number, document] of parts) {
  test(`form series ${JSON.stringify(series)} with number ${number} is ${document}`, (t) => {
    t.is(parseDocumentParts(series, number).document, document)
  })
}

const badParts: Array<[string, string]> = [
  ['AZE', 'AA0123456'], ['MYI', '12345678901'], ['-', '12345678'], ['AZE', ''],
  ['\u0414YI', '0007777'], ['AA', '12345678'], // Cyrillic Д has no Latin twin
]
for (const [series, number] of badParts) {
  test(`form series ${JSON.stringify(series)} with number "${number}" is refused`, (t) => {
    const err = t.throws<GatewayError>(() => parseDocumentParts(series, number))
    t.is(err?.code, 'account_format')
  })
}

const fins: Array<[string, string]> = [
  ['5ZX9K2L', '5ZX9K2L'], [' 5zx9k2l ', '5ZX9K2L'], ['5ZX 9K2L', '5ZX9K2L'],
  ['5Z\u04259\u041a2L', '5ZX9K2L'], ['1234567', '1234567'], ['ABCDEFG', 'ABCDEFG'],
]
for (const [input, fin] of fins) {
  test(`FIN ${JSON.stringify(input)} parses as ${fin}`, (t) => {
    t.is(parseFin(input), fin)
  })
}

for (const input of ['', '5ZX9K2', '5ZX9K2LL', '5ZX9K2!', '\u018fZX9K2L', '5ZX_K2L', '5ZX.9K2']) {
  test(`FIN ${JSON.stringify(input)} is refused with the rule spelled out`, (t) => {
    const err = t.throws<GatewayError>(() => parseFin(input))
    t.is(err?.code, 'account_format')
    t.is(err?.message, 'FIN must be 7 characters: digits and Latin capital letters')
  })
}

test('a missing or non-text reference reads as empty, never as a crash', (t) => {
  for (const input of [undefined, null, ['AA0123456'] as unknown as string]) {
    t.is(normaliseRef(input), '')
    t.throws(() => parseDocument(input), { message: 'document number is empty' })
    t.throws(() => parseCabinetNumber(input), { message: 'cabinet number is empty' })
    t.throws(() => parseFin(input), { message: /FIN must be 7/ })
  }
})

test('the Damm check digit matches the published example 572 → 4', (t) => {
  t.is(cabinetCheckDigit(572n), 4)
  t.is(dammInterim('5724'), 0)
})

test('the first cabinet number of the sequence is 100001 followed by 5', (t) => {
  t.is(cabinetNumberFromBase(100001n), 1000015n)
  t.is(cabinetNumberFromBase(100002n), 1000028n)
})

const cabinetNumbers: Array<[string, bigint]> = [
  ['1000015', 1000015n], [' 1000 015 ', 1000015n], ['1000-015', 1000015n], ['5724', 5724n],
]
for (const [input, number] of cabinetNumbers) {
  test(`cabinet number ${JSON.stringify(input)} parses as ${number}`, (t) => {
    t.is(parseCabinetNumber(input), number)
  })
}

const badCabinetNumbers: Array<[string, RegExp]> = [
  ['', /empty/], ['1000016', /check digit/], ['1000051', /check digit/],
  ['01000015', /must not start with 0/], ['000123', /must not start with 0/],
  ['0', /must not start with 0/], ['7', /2 to 18 digits/], ['1000015a', /digits only/],
  ['1e6', /digits only/], ['+1000015', /digits only/],
  ['\u0661\u0660\u0660\u0660\u0660\u0661\u0665', /digits only/], // Arabic-Indic digits
  ['1234567890123456789', /2 to 18 digits/],
]
for (const [input, message] of badCabinetNumbers) {
  test(`cabinet number ${JSON.stringify(input)} is refused as a wrong format`, (t) => {
    const err = t.throws<GatewayError>(() => parseCabinetNumber(input))
    t.is(err?.code, 'account_format')
    t.regex(err?.message ?? '', message)
  })
}

test('a leading zero is refused even where the number without it is valid', (t) => {
  const valid = cabinetNumberFromBase(12n).toString()
  t.is(parseCabinetNumber(valid), BigInt(valid))
  t.throws(() => parseCabinetNumber(`0${valid}`), { message: /must not start with 0/ })
  t.throws(() => parseCabinetNumber(`000${valid}`), { message: /must not start with 0/ })
})

function singleDigitErrors(number: string): string[] {
  const out: string[] = []
  for (let i = 0; i < number.length; i++) {
    for (const d of '0123456789') {
      if (d !== number[i]) out.push(number.slice(0, i) + d + number.slice(i + 1))
    }
  }
  return out
}

function adjacentTranspositions(number: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < number.length; i++) {
    if (number[i] === number[i + 1]) continue
    out.push(number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2))
  }
  return out
}

test('every single-digit error of cabinet number 1000015 is refused', (t) => {
  const typos = singleDigitErrors('1000015')
  t.is(typos.length, 63)
  for (const typo of typos) {
    const err = t.throws<GatewayError>(() => parseCabinetNumber(typo), undefined, typo)
    t.is(err?.code, 'account_format')
  }
})

test('every adjacent transposition of cabinet number 1234567 + check is refused', (t) => {
  const number = cabinetNumberFromBase(1234567n).toString()
  for (const swapped of adjacentTranspositions(number)) {
    t.throws(() => parseCabinetNumber(swapped), { message: /check digit|start with 0/ }, swapped)
  }
})

test('for any base, the number parses back and no single typo or swap passes', (t) => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 17n - 1n }), (base) => {
    const number = cabinetNumberFromBase(base)
    const text = number.toString()
    if (parseCabinetNumber(text) !== number) return false
    return [...singleDigitErrors(text), ...adjacentTranspositions(text)]
      .every((typo) => dammInterim(typo) !== 0)
  }), { numRuns: 300 })
  t.pass()
})
