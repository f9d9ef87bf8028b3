import test from 'ava'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import {
  nextCabinetNumber, osmp, osmpNetwork, providersOf, startHarness, testPrefix, type Harness,
} from '../../src/http/testkit.ts'
import { maskedName } from '../../src/payers/index.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { renderReply } from './reply.ts'

let h: Harness
let tdb: TestDb

test.after.always(async () => {
  await h?.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb()
  h = await startHarness({ db: tdb.db, prefix: testPrefix('xml'), providers: providersOf({
    qiwi: osmpNetwork({ replyName: 'fields' }),
    milli: osmpNetwork({ replyName: 'addinfo' }),
  }) })
})

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_',
  parseTagValue: false })

const names = [
  { surname: 'Əliyev & Co <test>', name: 'Şəhla', patronymic: 'Çingiz qızı' },
  { surname: "O'Neil", name: 'Ülviyyə', patronymic: 'Ağasəlim' },
  { surname: 'Qəhrəmanlı "Böyük"', name: 'İlqar', patronymic: 'ığdır' },
  { surname: ']]> </response><result>0</result>', name: 'Xəyal', patronymic: '' },
]

for (const person of names) {
  test(`the masked name of "${person.surname}" renders as valid, escaped XML`, async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber(), ...person })
    const expected = maskedName(person)
    for (const network of ['qiwi', 'milli']) {
      const res = await osmp(h.url, network, { command: 'check', txn_id: '7',
        account: cab.number.toString(), sum: '1.00' })
      t.is(XMLValidator.validate(res.body), true, res.body)
      t.false(res.body.includes('<TEST>'))
      const doc = parser.parse(res.body) as { response: Record<string, unknown> }
      t.is(doc.response.result, '0')
      const shown = network === 'milli' ? doc.response.addinfo
        : (doc.response.fields as { field1: { '#text': string } }).field1['#text']
      t.is(shown, expected)
    }
  })
}

test('a stored reply renders to the same bytes every time', (t) => {
  const reply = { result: 0 as const, comment: 'OK', prvTxn: '12', sum: '10.45' }
  const a = renderReply(reply, '1&2', 'fields')
  t.is(a, renderReply({ ...reply }, '1&2', 'fields'))
  t.true(a.includes('<osmp_txn_id>1&amp;2</osmp_txn_id>'))
  t.is(a.indexOf('<osmp_txn_id>') < a.indexOf('<prv_txn>'), true)
  t.is(a.indexOf('<sum>') < a.indexOf('<result>'), true)
})
