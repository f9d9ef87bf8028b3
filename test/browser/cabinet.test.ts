import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import { messages } from '../../src/web/messages.ts'
import { people, useCabinet } from '../../src/web/testkit.ts'

import { chromiumPath, haveChromium, launchChromium, screenshot } from '../helpers/browser.ts'
const env = useCabinet(test)
let browser: Browser | undefined

test.before(async () => {
  if (!haveChromium) return
  browser = await launchChromium()
})
test.after.always(async () => {
  await browser?.close()
})

async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, name)
}

async function notice(page: Page): Promise<string> {
  return (await page.locator('.notice').first().textContent())?.trim() ?? ''
}

// Outside CI a machine without chromium skips (visibly); in CI that is a failure.
if (!haveChromium && process.env.CI === 'true') {
  test('chromium is installed for the browser test', (t) => {
    t.fail(`${chromiumPath} is missing: the browser test cannot run in CI`)
  })
}
const run = haveChromium ? test : test.skip

run('on a phone without JavaScript, a person registers, logs in, changes the password '
  + 'and confirms a mobile number', async (t) => {
  const context = await browser!.newContext({
    viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'az-AZ',
  })
  const page = await context.newPage()
  const password = 'Yaz2026bahar'
  const newPassword = 'Qis2027payiz'
  try {
    await page.goto(`${env.h.url}/`)
    await shot(page, '01-info')
    await page.getByRole('link', { name: 'Qeydiyyatdan keç' }).click()

    await page.getByLabel('Sənədin seriyası').selectOption('AZE')
    await page.getByLabel('Sənədin nömrəsi').fill('55501234')
    await page.getByLabel('FİN').fill(people.hamidov.fin)
    await page.getByRole('button', { name: 'Davam et' }).click()
    t.is(await page.locator('#f-fin-err').textContent(), messages.finMismatch)
    await shot(page, '02-register-fin-mismatch')

    await page.getByLabel('FİN').fill(people.ismayilova.fin.toLowerCase())
    await shot(page, '02-register-document')
    await page.getByRole('button', { name: 'Davam et' }).click()

    await t.notThrowsAsync(page.getByText('İSMAYILOVA SƏBİNƏ HÜSEYN QIZI').waitFor())
    await page.getByLabel('E-poçt').fill('sabina@example.az')
    await page.getByLabel('Şifrə', { exact: true }).fill(password)
    await page.getByLabel('Şifrənin təkrarı').fill(password)
    await shot(page, '03-register-details')
    await page.getByRole('button', { name: 'Kabineti aç' }).click()

    const number = (await page.locator('#cabinet-number').textContent())?.trim() ?? ''
    t.regex(number, /^\d{7,}$/)
    await shot(page, '04-register-done')
    await page.getByRole('link', { name: 'Kabinetə daxil ol' }).click()

    await page.getByLabel('Kabinet nömrəsi və ya sənəd nömrəsi').fill(number)
    await page.getByLabel('Şifrə').fill(password)
    await page.getByRole('button', { name: 'Daxil ol' }).click()
    t.is(new URL(page.url()).pathname, '/kabinet')
    t.is(await page.locator('.holder .number').textContent(), number)
    t.is(await page.locator('.holder .balance').textContent(), '0.00 AZN')
    const photo = await page.locator('.holder .photo').evaluate(
      (img) => (img as unknown as { naturalWidth: number }).naturalWidth)
    t.true(photo > 0, 'the placeholder photo loads')
    await shot(page, '05-cabinet-home')

    await page.getByRole('link', { name: 'Şifrəni dəyiş' }).first().click()
    await page.getByLabel('Hazırkı şifrə').fill(password)
    await page.getByLabel('Yeni şifrə', { exact: true }).fill(newPassword)
    await page.getByLabel('Yeni şifrənin təkrarı').fill(newPassword)
    await page.getByRole('button', { name: 'Şifrəni dəyiş' }).click()
    t.is(await notice(page), messages.passwordChanged)
    await shot(page, '06-password-changed')

    await page.getByRole('button', { name: 'Çıxış' }).click()
    t.is(await notice(page), messages.loggedOut)
    await page.getByLabel('Kabinet nömrəsi və ya sənəd nömrəsi').fill('AZE55501234')
    await page.getByLabel('Şifrə').fill(newPassword)
    await page.getByRole('button', { name: 'Daxil ol' }).click()
    t.is(new URL(page.url()).pathname, '/kabinet', 'the new password logs in')

    await page.getByRole('link', { name: 'Əlaqə məlumatları' }).first().click()
    await page.getByLabel('Mobil nömrə').fill('055 444 33 22')
    await page.getByRole('button', { name: 'Yadda saxla' }).click()
    t.is(new URL(page.url()).pathname, '/kabinet/elaqe/tesdiq')
    await shot(page, '07-mobile-code')
    await page.getByLabel('SMS kodu').fill(env.h.sms.lastCode('+994554443322'))
    await page.getByRole('button', { name: 'Təsdiqlə' }).click()
    t.is(await notice(page), messages.mobileConfirmed)
    await shot(page, '08-mobile-confirmed')

    const row = await env.db('cabinets').where({ number: BigInt(number) }).first()
    t.is(row.mobile, '+994554443322')
    t.truthy(row.mobile_confirmed_at)
  } catch (err) {
    await shot(page, 'failure').catch(() => undefined)
    throw err
  } finally {
    await context.close()
  }
})
