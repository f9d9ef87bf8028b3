import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import { issueVouchers } from '../../src/account/index.ts'
import { cabinetBalance } from '../../src/ledger/index.ts'
import { accountMessages as say } from '../../src/web/account/messages.ts'
import { pagePassword, useAccountPages } from '../../src/web/account/testkit.ts'
import { chromiumPath, haveChromium, launchChromium, screenshot } from '../helpers/browser.ts'

const h = useAccountPages(test)
let browser: Browser | undefined

test.before(async () => {
  if (haveChromium) browser = await launchChromium()
})
test.after.always(async () => {
  await browser?.close()
})

const shot = (page: Page, name: string) => screenshot(page, `account-${name}`)

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent())?.trim() ?? ''

if (!haveChromium && process.env.CI === 'true') {
  test('chromium is installed for the account browser test', (t) => {
    t.fail(`${chromiumPath} is missing: the browser test cannot run in CI`)
  })
}
const run = haveChromium ? test : test.skip

run('in a browser without JavaScript, a holder redeems a payment code and transfers part '
  + 'of it to another cabinet', async (t) => {
  const sender = await h.open('AA0123456', '5ZX9K2L')
  const recipient = await h.open('AA7654321', '6BQ2M7T')
  const batch = await issueVouchers(h.db, { provider: 'kiosk', amount: 2500n, count: 1,
    batch: 'browser-1' })
  const code = (batch.vouchers[0] as { code: string }).code
  const context = await browser!.newContext({
    viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'az-AZ',
  })
  const page = await context.newPage()
  try {
    await page.goto(`${h.url}/giris`)
    await page.getByLabel('Kabinet nömrəsi və ya sənəd nömrəsi').fill(String(sender.number))
    await page.getByLabel('Şifrə').fill(pagePassword)
    await page.getByRole('button', { name: 'Daxil ol' }).click()
    await page.getByRole('link', { name: 'Hesab', exact: true }).click()
    t.is(new URL(page.url()).pathname, '/kabinet/hesab')
    t.is(await text(page, '.account-balance'), '0.00 AZN')
    await shot(page, '01-overview-empty')

    await page.getByRole('link', { name: 'Hesabı artır' }).click()
    const spaced = `${code.slice(0, 5)} ${code.slice(5, 10)} ${code.slice(10)}`
    await page.getByLabel('Ödəniş kodu').fill(spaced)
    await shot(page, '02-redeem-form')
    await page.getByRole('button', { name: 'Hesaba əlavə et' }).click()
    t.is(await text(page, '.notice'), say.redeemed('25.00 AZN', code))
    t.is(await text(page, '.holder .balance'), '25.00 AZN')
    await shot(page, '03-redeemed')

    await page.getByLabel('Ödəniş kodu').fill(code)
    await page.getByRole('button', { name: 'Hesaba əlavə et' }).click()
    t.is(await text(page, '#f-code-err'), say.redeem.redeemed_here)
    await shot(page, '04-redeem-again')

    await page.goto(`${h.url}/kabinet/hesab/medaxil`)
    t.is(await text(page, 'td.code'), code)
    t.is(await text(page, 'td.total'), '25.00')
    await shot(page, '05-credits')

    await page.goto(`${h.url}/kabinet/hesab`)
    await page.getByRole('link', { name: 'Digər şəxsin hesabına köçürmə' }).click()
    await page.getByLabel('Alıcının kabinet nömrəsi').fill(String(recipient.number))
    await page.getByLabel('Öz şifrəniz').fill(pagePassword)
    await shot(page, '06-transfer-recipient')
    await page.getByRole('button', { name: 'Davam et' }).click()
    t.is(await text(page, '.recipient-name'), 'MƏMMƏDOVA G. E.')
    await page.getByLabel('Məbləğ, AZN').fill('7.50')
    const confirmForm = await page.content()
    await shot(page, '07-transfer-amount')
    await page.getByRole('button', { name: 'Köçür' }).click()
    t.is(await text(page, '.notice'), say.transferred)
    t.is(await text(page, '.transfer-amount'), '7.50 AZN')
    t.is(await text(page, '.holder .balance'), '17.50 AZN')
    await shot(page, '08-transfer-done')

    // The same confirm form sent again, as from a second tab or a resubmitted page.
    await page.route(`${h.url}/replayed-form`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: confirmForm }))
    await page.goto(`${h.url}/replayed-form`)
    await page.getByLabel('Məbləğ, AZN').fill('7.50')
    await page.getByRole('button', { name: 'Köçür' }).click()
    t.is(await text(page, '.notice'), say.transferReplayed)
    t.is(await text(page, '.holder .balance'), '17.50 AZN')

    await page.goto(`${h.url}/kabinet/hesab/mexaric`)
    t.is(await text(page, 'td.served'), 'MƏMMƏDOVA G. E.')
    t.is(await text(page, 'td.amount'), '7.50')
    await shot(page, '09-debits')
    t.is(await cabinetBalance(h.db, sender.id), 1750n)
    t.is(await cabinetBalance(h.db, recipient.id), 750n)
  } catch (err) {
    await shot(page, 'failure').catch(() => undefined)
    throw err
  } finally {
    await context.close()
  }
})
