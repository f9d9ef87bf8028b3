import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestFn } from 'ava'
import { dropDb, freshDb, type TestDb } from '../../../test/helpers/db.ts'
import { buildApp } from '../../app.ts'
import { loadConfig } from '../../config.ts'
import { createContext, type AppContext } from '../../context.ts'
import type { Db } from '../../db.ts'
import { captureLog, deletePrefixKeys, testPrefix } from '../../http/testkit.ts'
import { createCabinet, localRegistry } from '../../payers/index.ts'
import type { ProvidersFile } from '../../providers.ts'
import { loadQueueSettings } from '../../queue/settings.ts'
import { webRouter } from '../index.ts'
import { loadSamplePeople, memorySms, PageClient } from '../testkit.ts'
import { accountPagesRouter } from './index.ts'

export const pagePassword = 'Bahar2026yaz'

export interface AccountHarness {
  db: Db
  url: string
  ctx: AppContext
  /** A client from an address of its own (the app trusts X-Forwarded-For here). */
  client(): PageClient
  /** A client logged in as the cabinet with this number. */
  login(number: bigint): Promise<PageClient>
  /** Opens a cabinet for a sample person, with `pagePassword`. */
  open(document: string, fin: string): Promise<{ id: bigint; number: bigint }>
}

/** The cabinet's pages (login and account) over a test database, on 127.0.0.1. */
export function useAccountPages<C>(test: TestFn<C>): AccountHarness {
  const h = {} as AccountHarness
  let tdb: TestDb | undefined
  let close = async () => {}
  test.before(async () => {
    tdb = await freshDb()
    await loadSamplePeople(tdb.db)
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', TRUST_PROXY: 'true' })
    const prefix = testPrefix('account')
    const ctx = createContext(config, { db: tdb.db, log: captureLog().log,
      providers: { providers: {}, clients: {} } as ProvidersFile,
      queueSettings: { ...loadQueueSettings({}), prefix } })
    const app = buildApp(ctx, [webRouter(ctx, { sms: memorySms() }), accountPagesRouter(ctx)])
    const server = createServer(app.callback())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    let clients = 0
    Object.assign(h, {
      db: tdb.db, ctx, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      client() {
        clients += 1
        const address = `10.77.${clients >> 8}.${clients & 255}`
        return new PageClient(h.url, { 'x-forwarded-for': address })
      },
      async login(number: bigint) {
        const c = h.client()
        await c.get('/giris')
        const res = await c.post('/giris', { ref: String(number), password: pagePassword })
        if (res.status !== 303) throw new Error(`login as ${number} answered ${res.status}`)
        return c
      },
      open: (document: string, fin: string) => createCabinet(h.db, localRegistry(h.db),
        { document, fin, password: pagePassword }),
    })
    close = async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await ctx.queues.credits.close()
      await deletePrefixKeys(config.redisUrl, prefix)
    }
  })
  test.after.always(async () => {
    await close()
    if (tdb) await dropDb(tdb)
  })
  return h
}
