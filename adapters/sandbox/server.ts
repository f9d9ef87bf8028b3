import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { log as rootLog, type Logger } from '../../src/log.ts'
import { createSandbox, type Sandbox } from './app.ts'
import { ensureDevKeys } from './keys.ts'

const loopback = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Starts the sandbox processor on a loopback address with the development
 * keys (created on first start). `npm run sandbox`; SANDBOX_PORT picks the port.
 */
export async function startSandbox(opts: { port?: number; host?: string; log?: Logger } = {})
  : Promise<{ sandbox: Sandbox; server: Server; url: string }> {
  const host = opts.host ?? '127.0.0.1'
  if (!loopback.has(host)) throw new Error('the sandbox listens on a loopback address only')
  const files = ensureDevKeys()
  const sandbox = createSandbox({
    gatewayKey: createPrivateKey(readFileSync(files.gatewayKey, 'utf8')),
    merchantKey: createPublicKey(readFileSync(files.merchantKey, 'utf8')),
    log: opts.log ?? rootLog,
  })
  const server = sandbox.app.listen(opts.port ?? 4010, host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : opts.port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/cgi-bin/cgi_link`
  return { sandbox, server, url }
}

const isMain = process.argv[1]?.endsWith('adapters/sandbox/server.ts')
if (isMain) {
  const port = Number(process.env.SANDBOX_PORT ?? '4010')
  const { url } = await startSandbox({ port, host: process.env.SANDBOX_HOST ?? '127.0.0.1' })
  rootLog.info({ url }, 'sandbox processor is listening; point a "sandbox" provider at it')
  process.stdout.write(`sandbox processor: ${url}\n`)
}
