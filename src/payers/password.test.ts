import test from 'ava'
import type { GatewayError } from '../errors.ts'
import { checkPasswordStrength, hashPassword, verifyPassword } from './password.ts'

test('a hash names scrypt and its cost, and verifies only its own password', async (t) => {
  const hash = await hashPassword('Salam2026')
  t.regex(hash, /^\$scrypt\$ln=15,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/)
  t.true(await verifyPassword('Salam2026', hash))
  t.false(await verifyPassword('salam2026', hash))
  t.false(await verifyPassword('Salam2026 ', hash))
  t.false(await verifyPassword('', hash))
})

test('two hashes of one password differ by their salt', async (t) => {
  const [a, b] = await Promise.all([hashPassword('Şifrə12345'), hashPassword('Şifrə12345')])
  t.not(a, b)
  t.true(await verifyPassword('Şifrə12345', b))
})

test('a password typed in another Unicode form still verifies', async (t) => {
  const hash = await hashPassword('Şifrə12345')
  t.true(await verifyPassword('S\u0327ifrə12345', hash))
})

test('a tampered hash asking for huge memory is refused, not computed', async (t) => {
  const hash = await hashPassword('Salam2026')
  const err = await t.throwsAsync<GatewayError>(
    verifyPassword('Salam2026', hash.replace('ln=15', 'ln=30')))
  t.is(err?.code, 'internal')
  await t.throwsAsync(verifyPassword('Salam2026', 'plain-text'), { message: /not in a recognised/ })
})

for (const pw of ['', 'Ab1', 'abcdefgh', '12345678', 'abc 1234'.slice(0, 7), 'x1'.repeat(600)]) {
  test(`password of ${pw.length} characters "${pw.slice(0, 12)}" is refused as weak`, (t) => {
    const err = t.throws<GatewayError>(() => checkPasswordStrength(pw))
    t.is(err?.code, 'bad_request')
    t.is(err?.details.reason, 'weak_password')
  })
}

for (const pw of ['abcdefg1', 'Şifrə1234', '1234567ə', 'long passphrase 2026']) {
  test(`password "${pw}" is strong enough`, (t) => {
    t.notThrows(() => checkPasswordStrength(pw))
  })
}
