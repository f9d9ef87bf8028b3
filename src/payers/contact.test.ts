import test from 'ava'
import type { GatewayError } from '../errors.ts'
import { parseEmail, parseMobile } from './contact.ts'

const mobiles: Array<[string, string]> = [
  ['+994 50 123 45 67', '+994501234567'], ['994501234567', '+994501234567'],
  ['050 123-45-67', '+994501234567'], ['(055) 123 45 67', '+994551234567'],
  ['+994101234567', '+994101234567'], ['0991234567', '+994991234567'],
]
for (const [input, mobile] of mobiles) {
  test(`mobile "${input}" is stored as ${mobile}`, (t) => {
    t.is(parseMobile(input), mobile)
  })
}

for (const input of ['', '+994 12 123 45 67', '501234567', '+7 900 123 45 67', '05012345678',
  '+994 50 123 45 6x']) {
  test(`mobile "${input}" is refused`, (t) => {
    const err = t.throws<GatewayError>(() => parseMobile(input))
    t.is(err?.details.reason, 'bad_mobile')
  })
}

test('an e-mail keeps its local part and lower-cases its domain', (t) => {
  t.is(parseEmail(' Vusal.H@Mail.AZ '), 'Vusal.H@mail.az')
})

for (const input of ['', 'vusal', 'vusal@', '@mail.az', 'vusal@mail', 'a b@mail.az',
  'v@mail..az', '<v>@mail.az']) {
  test(`e-mail "${input}" is refused`, (t) => {
    const err = t.throws<GatewayError>(() => parseEmail(input))
    t.is(err?.details.reason, 'bad_email')
  })
}
