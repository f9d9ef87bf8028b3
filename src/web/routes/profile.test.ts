import test from 'ava'
import { accountId, post } from '../../ledger/index.ts'
import { messages } from '../messages.ts'
import { loggedIn, openCabinet, people, shows, useCabinet } from '../testkit.ts'

const env = useCabinet(test)

// The smallest valid PNG: a 1×1 transparent pixel.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf'
  + 'DwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

async function credit(cabinetId: bigint, amount: bigint, key: string): Promise<void> {
  const cabinet = await accountId(env.db, { kind: 'cabinet', cabinetId })
  const clearing = await accountId(env.db, { kind: 'clearing', provider: 'webtest' })
  await post(env.db, { key, kind: 'credit', legs: [
    { account: cabinet, amount }, { account: clearing, amount: -amount }] })
}

test('every cabinet page header shows the number, full name, balance and photo', async (t) => {
  const cab = await openCabinet(env.db, people.hamidov)
  await credit(cab.id, 1250n, 'web-profile-1')
  const c = await loggedIn(env.h, String(cab.number))
  for (const path of ['/kabinet', '/kabinet/sexsi-melumatlar', '/kabinet/elaqe',
    '/kabinet/sifre']) {
    const page = await c.get(path)
    t.is(page.status, 200, path)
    const header = page.text.slice(0, page.text.indexOf('<main'))
    t.true(header.includes(`<dd class="number">${cab.number}</dd>`), path)
    t.true(header.includes('HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU'), path)
    t.true(header.includes('<dd class="balance">12.50 AZN</dd>'), path)
    t.true(header.includes('src="/kabinet/foto"'), path)
  }
})

test('the home page greets the holder and asks to confirm the mobile number', async (t) => {
  const cab = await openCabinet(env.db, people.mammadova, { mobile: '+994551112233' })
  const c = await loggedIn(env.h, String(cab.number))
  const page = await c.get('/kabinet')
  t.true(page.text.includes('Xoş gəlmisiniz, Günel'))
  t.true(page.text.includes('+994 55 111 22 33'))
  t.true(page.text.includes('təsdiqlənməyib'))
})

test('the personal data page shows the registry data in Azerbaijani', async (t) => {
  const cab = await openCabinet(env.db, people.petrov)
  const c = await loggedIn(env.h, String(cab.number))
  const page = await c.get('/kabinet/sexsi-melumatlar')
  for (const text of ['PETROV', 'SERGEYEVIÇ', 'Kişi', '15.06.1990', 'Rusiya', 'MYI 0045678',
    '9PL4X2E', 'Nərimanov']) {
    t.true(page.text.includes(text), text)
  }
  t.true(page.text.includes('Sənədim yenilənib'))
})

test('a renewed document refreshes the cabinet from the registry', async (t) => {
  const cab = await openCabinet(env.db, people.quliyev)
  // The registry now holds a new-generation card for the same FIN, with a new address.
  await env.db('people').where({ document: people.quliyev.document }).delete()
  await env.db('people').insert({ document: 'AA3000001', fin: people.quliyev.fin,
    surname: 'QULİYEV', name: 'ƏLİ', patronymic: 'RAMİZ OĞLU', sex: 'male',
    birth_date: '1985-02-03', citizenship: 'AZE', district: 'Xətai',
    address: 'Bakı şəh. Xətai ray. Yeni küç. 1' })
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/sexsi-melumatlar')
  const res = await c.submit('/kabinet/sexsi-melumatlar/yenile',
    { series: '-', number: 'AA3000001' })
  t.is(res.status, 200)
  t.true(shows(res.text, messages.documentRefreshed))
  t.true(res.text.includes('AA3000001'))
  t.true(res.text.includes('Yeni küç. 1'))
  const row = await env.db('cabinets').where({ id: cab.id }).first()
  t.is(row.document, 'AA3000001')
  t.is(row.document_series, '-')
  t.is(row.district, 'Xətai')
  t.is((await loggedIn(env.h, 'AA3000001').then((x) => x.get('/kabinet'))).status, 200,
    'the new document logs in')
})

test('a document the registry does not know is refused', async (t) => {
  const cab = await openCabinet(env.db, people.ismayilova)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/sexsi-melumatlar')
  const res = await c.post('/kabinet/sexsi-melumatlar/yenile',
    { series: '-', number: 'AA3999999' })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.unknownDocument))
})

test('another person\'s document is refused', async (t) => {
  const cab = await openCabinet(env.db, people.oneil)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/sexsi-melumatlar')
  const res = await c.post('/kabinet/sexsi-melumatlar/yenile',
    { series: '-', number: people.aliyeva.document })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.documentOfOther))
  const row = await env.db('cabinets').where({ id: cab.id }).first()
  t.is(row.document, people.oneil.document)
})

test('a document still held by another cabinet is refused', async (t) => {
  const mine = await openCabinet(env.db, people.yilmaz)
  await openCabinet(env.db, people.nasibov)
  // The registry moved the other cabinet's document number to this person.
  await env.db('people').whereIn('document', [people.yilmaz.document,
    people.nasibov.document]).delete()
  await env.db('people').insert({ document: people.nasibov.document, fin: people.yilmaz.fin,
    surname: 'YILMAZ', name: 'ELİF', patronymic: '', sex: 'female', birth_date: '1995-03-08',
    citizenship: 'TUR' })
  const c = await loggedIn(env.h, String(mine.number))
  await c.get('/kabinet/sexsi-melumatlar')
  const res = await c.post('/kabinet/sexsi-melumatlar/yenile',
    { series: '-', number: people.nasibov.document })
  t.is(res.status, 409)
  t.true(shows(res.text, messages.documentTaken))
})

test('a malformed renewed document is refused', async (t) => {
  const cab = await openCabinet(env.db, people.aliyeva)
  const c = await loggedIn(env.h, String(cab.number))
  await c.get('/kabinet/sexsi-melumatlar')
  const res = await c.post('/kabinet/sexsi-melumatlar/yenile', { series: 'AZE', number: '12' })
  t.is(res.status, 422)
  t.true(shows(res.text, messages.documentFormat))
})

test('the photo comes from the registry, or a placeholder, for the holder only', async (t) => {
  const cab = await openCabinet(env.db, people.jafarova)
  const c = await loggedIn(env.h, String(cab.number))
  const none = await c.get('/kabinet/foto')
  t.is(none.status, 200)
  t.regex(none.headers.get('content-type') ?? '', /^image\/svg\+xml/)
  t.true(none.text.startsWith('<svg'))

  await env.db('people').where({ document: people.jafarova.document }).update({ photo: png })
  const res = await fetch(`${env.h.url}/kabinet/foto`,
    { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } })
  t.is(res.headers.get('content-type'), 'image/png')
  t.true(Buffer.from(await res.arrayBuffer()).equals(png))
  t.regex(res.headers.get('cache-control') ?? '', /private/)

  const stranger = await env.h.client().get('/kabinet/foto')
  t.is(stranger.status, 303)
})
