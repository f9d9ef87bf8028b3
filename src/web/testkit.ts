import type { Db } from '../db.ts'
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

let seq = 0

/** A cabinet row straight in the table, for tests that need one to point at. */
export async function insertCabinetRow(
  db: Db,
  overrides: Record<string, unknown> = {},
): Promise<{ id: bigint; number: bigint }> {
  seq += 1
  const n = String(process.pid % 100000).padStart(5, '0') + String(seq).padStart(2, '0')
  const [row] = await db('cabinets').insert({
    number: BigInt(`9${n}`),
    document_series: '-',
    document: `AA${n}`,
    document_number: `AA${n}`,
    fin: `T${n.slice(-6)}`,
    surname: 'SINAQ',
    name: 'TEST',
    patronymic: '',
    sex: 'male',
    birth_date: '2000-01-01',
    citizenship: 'AZE',
    ...overrides,
  }).returning(['id', 'number'])
  return { id: row.id as bigint, number: row.number as bigint }
}
