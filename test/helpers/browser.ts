import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium; `.ci/run` (scripts/services.sh) installs it when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const haveChromium = existsSync(chromiumPath)
export const screenshotsDir = path.resolve('artifacts', 'screenshots')

/** Headless Chromium with nothing reaching out to the network on its own. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(screenshotsDir, { recursive: true })
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** A full-page screenshot in artifacts/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true })
}
