import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import { waitFor } from '../http/testkit.ts'
import { cabinetBalance } from '../ledger/index.ts'
import { makeCabinet } from '../payers/testkit.ts'
import {
  chromiumPath, haveChromium, launchChromium, screenshot,
} from '../../test/helpers/browser.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import {
  startCardsHarness, startFakeAzericard, testKeys, type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let browser: Browser | undefined

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  // The sandbox protocol pointed at the sandbox app on an ephemeral port, with test keys.
  h = await startCardsHarness(t0.db, 'cards-browser', { sandbox: { protocol: 'sandbox',
    enabled: true,
    url: fake.url, merchantKey: testKeys.merchant.privateKey,
    gatewayKey: testKeys.gateway.publicKey } })
  if (!haveChromium) return
  browser = await launchChromium()
})

test.after.always(async () => {
  await browser?.close()
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, `cards-${name}`)
}

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent())?.trim() ?? ''

if (!haveChromium && process.env.CI === 'true') {
  test('chromium is installed for the card payment browser test', (t) => {
    t.fail(`${chromiumPath} is missing: the browser test cannot run in CI`)
  })
}
const run = haveChromium ? test.serial : test.skip

async function fillPublicPage(page: Page, ref: string, amount: string, prefix: string) {
  await page.goto(`${h.url}/kartla-odenis`)
  await shot(page, `${prefix}-01-start`)
  await page.getByLabel('Şəxsiyyət vəsiqəsinin və ya kabinetin nömrəsi').fill(ref)
  await page.getByRole('button', { name: 'Davam et' }).click()
  await page.getByLabel('Məbləğ, AZN').fill(amount)
  await page.getByLabel('Sandbox (test)').check()
  await shot(page, `${prefix}-02-amount`)
  await page.getByRole('button', { name: 'Ödənişə keç' }).click()
}

run('a payer pays on the public page through the sandbox and the cabinet is credited',
  async (t) => {
    const c = await makeCabinet(t0.db, 7700)
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 },
      locale: 'az-AZ' })
    const page = await context.newPage()
    try {
      await page.goto(`${h.url}/kartla-odenis`)
      await page.getByLabel('Şəxsiyyət vəsiqəsinin və ya kabinetin nömrəsi').fill('AA0000000')
      await page.getByRole('button', { name: 'Davam et' }).click()
      t.regex(await text(page, '.errors'), /kabinet tapılmadı/)

      await fillPublicPage(page, c.person.document.toLowerCase(), '25.50', 'paid')
      // The hand-off form submits itself to the sandbox's hosted page.
      await page.getByRole('button', { name: 'Ödə' }).waitFor()
      t.is(await text(page, '#amount'), '25.50 AZN')
      await shot(page, 'paid-03-hosted-page')
      await page.getByRole('button', { name: 'Ödə', exact: true }).click()
      await page.locator('#order-state').waitFor()
      t.is(await page.locator('#order-state').getAttribute('data-state'), 'paid')
      t.regex(await text(page, '#payment-code'), /^\d{15}$/)
      t.regex(await text(page, '.person'), /^MƏMMƏDOV /)
      await shot(page, 'paid-04-result')

      await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 2550n)
      await page.goto(`${h.url}/giris`)
      await page.getByLabel('Kabinet nömrəsi və ya sənəd nömrəsi').fill(String(c.number))
      await page.getByLabel('Şifrə').fill('Parol2026')
      await page.getByRole('button', { name: 'Daxil ol' }).click()
      t.is(await text(page, '.holder .balance'), '25.50 AZN')
      await shot(page, 'paid-05-cabinet')
    } finally {
      await context.close()
    }
  })

run('without JavaScript the payer presses on by hand, declines, and nothing is credited',
  async (t) => {
    const c = await makeCabinet(t0.db, 7701)
    const context = await browser!.newContext({ viewport: { width: 1024, height: 768 },
      javaScriptEnabled: false, locale: 'az-AZ' })
    const page = await context.newPage()
    try {
      await fillPublicPage(page, String(c.number), '10', 'declined')
      await shot(page, 'declined-03-handoff-noscript')
      await page.getByRole('button', { name: 'Ödəniş səhifəsinə keç' }).click()
      await page.getByRole('button', { name: 'İmtina et' }).click()
      await page.getByRole('button', { name: 'Davam et' }).click()
      t.is(await page.locator('#order-state').getAttribute('data-state'), 'declined')
      await shot(page, 'declined-04-result')
      t.is(await cabinetBalance(t0.db, c.id), 0n)
      t.is(await t0.db('payments').where({ cabinet_id: c.id }).first(), undefined)
    } finally {
      await context.close()
    }
  })

run('a logged-in holder pays from the cabinet page and sees the new balance', async (t) => {
  const c = await makeCabinet(t0.db, 7702)
  const context = await browser!.newContext({ locale: 'az-AZ' })
  const page = await context.newPage()
  try {
    await page.goto(`${h.url}/giris`)
    await page.getByLabel('Kabinet nömrəsi və ya sənəd nömrəsi').fill(String(c.number))
    await page.getByLabel('Şifrə').fill('Parol2026')
    await page.getByRole('button', { name: 'Daxil ol' }).click()
    await page.goto(`${h.url}/kabinet/kartla-odenis`)
    t.regex(await text(page, '#payer'), /MƏMMƏDOV İLQAR/)
    await page.getByLabel('Məbləğ, AZN').fill('7.25')
    await page.getByLabel('Sandbox (test)').check()
    await page.getByRole('button', { name: 'Ödənişə keç' }).click()
    await page.getByRole('button', { name: 'Ödə', exact: true }).click()
    await page.locator('#order-state').waitFor()
    t.is(await page.locator('#order-state').getAttribute('data-state'), 'paid')
    await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 725n)
    const order = await t0.db('card_orders').where({ cabinet_id: c.id }).first()
    t.is(order.channel, 'cabinet')
    await page.goto(`${h.url}/kabinet`)
    t.is(await text(page, '.holder .balance'), '7.25 AZN')
    await shot(page, 'cabinet-01-credited')
  } finally {
    await context.close()
  }
})
