import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { buildApp } from '../app.ts'
import { loadConfig } from '../config.ts'
import { createContext, type AppContext } from '../context.ts'
import type { TestFn } from 'ava'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import type { Db } from '../db.ts'
import { captureLog, deletePrefixKeys, providersOf, testPrefix } from '../http/testkit.ts'
import { createCabinet, importPeople, localRegistry } from '../payers/index.ts'
import { loadQueueSettings } from '../queue/settings.ts'
import type { WebOverrides } from './deps.ts'
import { webRouter } from './index.ts'
import type { SmsMessage, SmsSender } from './sms/index.ts'

/** An SMS driver for tests: keeps what it was asked to send. */
export function memorySms(): SmsSender & { sent: SmsMessage[]; lastCode(to?: string): string } {
  const sent: SmsMessage[] = []
  return {
    driver: 'memory',
    sent,
    async send(message) {
      sent.push(message)
    },
    lastCode(to) {
      const msg = [...sent].reverse().find((m) => to === undefined || m.to === to)
      const code = msg?.text.match(/\b\d{6}\b/)?.[0]
      if (!code) throw new Error(`no code was sent${to ? ` to ${to}` : ''}`)
      return code
    },
  }
}

/** A cookie-keeping client for the cabinet pages that sends each form's CSRF token. */
export class PageClient {
  readonly cookies = new Map<string, string>()
  html = ''

  constructor(readonly base: string, readonly headers: Record<string, string> = {}) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a))
      if (expired || value === '') this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value)
    }
  }

  async get(path: string): Promise<Response & { text: string }> {
    const res = await fetch(this.base + path, {
      redirect: 'manual', headers: { ...this.headers, cookie: this.cookieHeader() },
    })
    this.keep(res)
    const text = await res.text()
    if ((res.headers.get('content-type') ?? '').includes('html')) this.html = text
    return Object.assign(res, { text })
  }

  /** The CSRF token of the last page fetched. */
  csrf(): string {
    return /name="_csrf" value="([^"]+)"/.exec(this.html)?.[1] ?? ''
  }

  /** Posts a form; the last page's CSRF token goes along unless `_csrf` is given. */
  async post(path: string, fields: Record<string, string>): Promise<Response & { text: string }> {
    const body = new URLSearchParams({ _csrf: this.csrf(), ...fields })
    const res = await fetch(this.base + path, {
      method: 'POST', redirect: 'manual', body,
      headers: { ...this.headers, cookie: this.cookieHeader() },
    })
    this.keep(res)
    const text = await res.text()
    if ((res.headers.get('content-type') ?? '').includes('html')) this.html = text
    return Object.assign(res, { text })
  }

  /** Posts a form and follows the redirect, answering the page it lands on. */
  async submit(path: string, fields: Record<string, string>)
    : Promise<Response & { text: string }> {
    const res = await this.post(path, fields)
    const to = res.headers.get('location')
    return res.status === 303 && to ? this.get(to) : res
  }
}

/** Sample registry people, the same as the shared development file. */
export const samplePeopleCsv = `document,fin,surname,name,patronymic,sex,birth_date,citizenship,\
district,address
AA0123456,5ZX9K2L,HƏMİDOV,VÜSAL,MUSƏYRƏLİ OĞLU,male,1977-11-30,AZE,Nəsimi,Bakı şəh. Nəsimi ray. \
S.Vurğun küç. 12 m. 4
AA7654321,6BQ2M7T,MƏMMƏDOVA,GÜNEL,ELŞAD QIZI,female,1999-04-17,AZE,Yasamal,Bakı şəh. Yasamal ray. \
Ş.Mehdiyev küç. 88 m. 31
AZE10293847,1TR5Q8W,QULİYEV,ƏLİ,RAMİZ OĞLU,male,1985-02-03,AZE,Gəncə,Gəncə şəh. Atatürk pr. 5 m. 10
AZE55501234,3KD8P1Z,İSMAYILOVA,SƏBİNƏ,HÜSEYN QIZI,female,2004-09-21,AZE,Sumqayıt,Sumqayıt şəh. \
9-cu mkr. ev 14 m. 57
AA1000001,7NW3J6H,O'NEİL,ŞAHİN,ÇİNGİZ OĞLU,male,2006-01-01,AZE,Xətai,Bakı şəh. Xətai ray. \
Babək pr. 1 m. 2
AA1000002,2CV6Y9R,ƏLİYEVA-ŞÜKÜROVA,AYGÜN,ÖMƏR QIZI,female,2007-12-31,AZE,Lənkəran,Lənkəran şəh. \
Hazı Aslanov küç. 7
MYI0045678,9PL4X2E,PETROV,IVAN,SERGEYEVIÇ,male,1990-06-15,RUS,Nərimanov,Bakı şəh. Nərimanov ray. \
Təbriz küç. 44 m. 9
DYI0007777,4HG7T3U,YILMAZ,ELİF,,female,1995-03-08,TUR,Səbail,Bakı şəh. Səbail ray. \
Neftçilər pr. 100 m. 3
AA2000003,8MK1S5D,NƏSİBOV,TURAL,VAQİF OĞLU,male,2008-02-29,AZE,Şəki,Şəki şəh. M.Ə.Rəsulzadə küç. 19
AA2000004,5RF2B8N,CƏFƏROVA,LALƏ,<TOĞRUL> & CO QIZI,female,2001-07-07,AZE,Quba,Quba şəh. \
Heydər Əliyev pr. 3
`

/** Loads the sample people into the local registry through the payers' importer. */
export async function loadSamplePeople(db: Db): Promise<void> {
  const report = await importPeople(db, Readable.from([samplePeopleCsv]))
  if (report.rejected.length > 0 || report.stopped) {
    throw new Error(`sample people were rejected: ${JSON.stringify(report)}`)
  }
}

export interface CabinetHarness {
  url: string
  /** A fresh client from an address of its own (the app trusts X-Forwarded-For here). */
  client(headers?: Record<string, string>): PageClient
  ctx: AppContext
  sms: ReturnType<typeof memorySms>
  lines: Array<Record<string, unknown>>
  close(): Promise<void>
}

/** The gateway app with only the cabinet mounted, on 127.0.0.1 and a random port. */
export async function startCabinet(
  db: Db,
  opts: { env?: NodeJS.ProcessEnv; overrides?: WebOverrides } = {},
): Promise<CabinetHarness> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', TRUST_PROXY: 'true',
    ...opts.env })
  const { log, lines } = captureLog()
  const prefix = testPrefix('web')
  const ctx = createContext(config, {
    db, log, providers: providersOf({}),
    queueSettings: { ...loadQueueSettings({}), prefix },
  })
  const sms = memorySms()
  const app = buildApp(ctx, [webRouter(ctx, { sms, ...opts.overrides })])
  const server = createServer(app.callback())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let clients = 0
  return {
    url, ctx, sms, lines,
    client(headers = {}) {
      clients += 1
      const address = `10.${process.pid % 250}.${Math.floor(clients / 250)}.${clients % 250}`
      return new PageClient(url, { 'x-forwarded-for': address, ...headers })
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await ctx.queues.credits.close()
      await deletePrefixKeys(config.redisUrl, prefix)
    },
  }
}

/** The sample people's documents and FINs by a short name. */
export const people = {
  hamidov: { document: 'AA0123456', fin: '5ZX9K2L' },
  mammadova: { document: 'AA7654321', fin: '6BQ2M7T' },
  quliyev: { document: 'AZE10293847', fin: '1TR5Q8W' },
  ismayilova: { document: 'AZE55501234', fin: '3KD8P1Z' },
  oneil: { document: 'AA1000001', fin: '7NW3J6H' },
  aliyeva: { document: 'AA1000002', fin: '2CV6Y9R' },
  petrov: { document: 'MYI0045678', fin: '9PL4X2E' },
  yilmaz: { document: 'DYI0007777', fin: '4HG7T3U' },
  nasibov: { document: 'AA2000003', fin: '8MK1S5D' },
  jafarova: { document: 'AA2000004', fin: '5RF2B8N' },
} as const

export const goodPassword = 'Bahar2026yaz'

/** Opens a cabinet the way registration does, optionally with a confirmed mobile. */
export async function openCabinet(
  db: Db,
  person: { document: string; fin: string },
  opts: { password?: string; mobile?: string; confirmed?: boolean } = {},
): Promise<{ id: bigint; number: bigint }> {
  const cab = await createCabinet(db, localRegistry(db), {
    ...person, password: opts.password ?? goodPassword,
    ...(opts.mobile ? { mobile: opts.mobile } : {}),
  })
  if (opts.confirmed) {
    await db('cabinets').where({ id: cab.id }).update({ mobile_confirmed_at: db.fn.now() })
  }
  return cab
}

/** A client logged in as `ref`; throws when the login is refused. */
export async function loggedIn(
  h: Pick<CabinetHarness, 'client'>,
  ref: string,
  password = goodPassword,
): Promise<PageClient> {
  const client = h.client()
  await client.get('/giris')
  const res = await client.post('/giris', { ref, password })
  if (res.status !== 303) throw new Error(`login as ${ref} answered ${res.status}`)
  return client
}

/** Whether a page shows `text` (as the templates escape it). */
export function shows(html: string, text: string): boolean {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;')
  return html.includes(escaped)
}

/**
 * A test file's own database with the sample people and the cabinet app over
 * it: `const env = useCabinet(test)`, then `env.db` and `env.h` inside tests.
 */
export function useCabinet<C>(
  test: TestFn<C>,
  opts: Parameters<typeof startCabinet>[1] = {},
): { db: Db; h: CabinetHarness } {
  const env = {} as { db: Db; h: CabinetHarness; tdb: TestDb }
  test.before(async () => {
    env.tdb = await freshDb()
    env.db = env.tdb.db
    await loadSamplePeople(env.db)
    env.h = await startCabinet(env.db, opts)
  })
  test.after.always(async () => {
    await env.h?.close()
    if (env.tdb) await dropDb(env.tdb)
  })
  return env
}
