import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSandbox, type Sandbox } from '../../adapters/sandbox/app.ts'
import type { Db } from '../db.ts'
import { startHarness, testPrefix, providersOf, type Harness } from '../http/testkit.ts'
import { createLogger } from '../log.ts'
import { createOrder, findOrder, markRedirected, processorOrder, type CardOrder } from './orders.ts'
import { callbackPath } from './notify.ts'
import type { CardProcessor } from './processor.ts'
import { cardProcessors } from './processors.ts'
import { startPayment } from './start.ts'

function pemPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
}

/** Test keys: ours (merchant) and the fake gateway's. Generated per test process. */
export const testKeys = { merchant: pemPair(), gateway: pemPair() }

export interface FakeAzericard {
  sandbox: Sandbox
  server: Server
  url: string
  close(): Promise<void>
}

/** The sandbox processor as a fake Azericard on an ephemeral loopback port. */
export async function startFakeAzericard(): Promise<FakeAzericard> {
  const sandbox = createSandbox({
    gatewayKey: createPrivateKey(testKeys.gateway.privateKey),
    merchantKey: createPublicKey(testKeys.merchant.publicKey),
    log: createLogger('silent'),
  })
  const server = sandbox.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/cgi_link`
  return {
    sandbox, server, url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

/** A providers-file entry for an Azericard terminal pointed at the fake. */
export function azericardEntry(url: string, extra: Record<string, unknown> = {}) {
  return {
    protocol: 'azericard', enabled: true, terminal: '17202191', url,
    merchantKey: testKeys.merchant.privateKey, gatewayKey: testKeys.gateway.publicKey,
    merchantName: 'Imtahan Merkezi', merchantUrl: 'https://imtahan.test', timeoutMs: 400,
    ...extra,
  }
}

export interface CardsHarness extends Harness {
  processors: Map<string, CardProcessor>
}

/** The gateway (pages, callbacks, worker) over a test database with these processors. */
export async function startCardsHarness(db: Db, name: string,
  providers: Record<string, Record<string, unknown>>, worker = true): Promise<CardsHarness> {
  const h = await startHarness({ db, providers: providersOf(providers), prefix: testPrefix(name),
    worker })
  // The return URLs must name the port the harness got.
  h.ctx.config.publicUrl = h.url
  return { ...h, processors: cardProcessors(h.ctx) }
}

/** What a payer's browser does at the hosted page: post our form there. */
export async function openHostedPage(action: string, fields: Record<string, string>)
  : Promise<{ status: number; body: string }> {
  const res = await fetch(action, { method: 'POST', body: new URLSearchParams(fields) })
  return { status: res.status, body: await res.text() }
}

/** Starts a payment through the gateway and opens the fake's hosted page. */
export async function startAtFake(h: CardsHarness, provider: string, cabinetId: bigint,
  amount: bigint): Promise<CardOrder> {
  const processor = h.processors.get(provider) as CardProcessor
  const { order, redirect } = await startPayment(h.ctx, processor,
    { cabinetId, amount, channel: 'public' })
  const page = await openHostedPage(redirect.action, redirect.fields)
  if (page.status !== 200) throw new Error(`hosted page answered ${page.status}: ${page.body}`)
  return order
}

/** Creates the order inside `db` (which may be an open transaction) and registers it. */
export async function orderInTrx(db: Db, h: CardsHarness, provider: string, cabinetId: bigint,
  amount: bigint): Promise<CardOrder> {
  const processor = h.processors.get(provider) as CardProcessor
  const order = await createOrder(db, { processor: provider, cabinetId, amount,
    channel: 'public' })
  const redirect = await processor.begin(processorOrder(order), { returnUrl: `${h.url}/r`,
    callbackUrl: `${h.url}/c`, orderUrl: `${h.url}/o` })
  await markRedirected(db, order.id, redirect.refs)
  await openHostedPage(redirect.action, redirect.fields)
  return order
}

export async function postCallback(h: Harness, provider: string,
  fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.url}${callbackPath(provider)}`, {
    method: 'POST', body: new URLSearchParams(fields),
  })
  return { status: res.status, body: await res.text() }
}

export async function stateOf(db: Db, provider: string, orderNumber: string) {
  return (await findOrder(db, provider, orderNumber))?.state
}

export async function paymentsFor(db: Db, provider: string, orderNumber: string) {
  return db('payments').where({ provider, external_id: orderNumber })
}
