import * as f from './fields.ts'
import type { RegistryEvent } from './fields.ts'
import { byteLines } from './source.ts'

const trailerPattern = /^Total:\s*(\S+)\s+(\S+)\s*$/i

/**
 * QIWI-style registry: one payment a line,
 * `txn_id<TAB>DD.MM.YYYY<TAB>HH:MM:SS<TAB>account<TAB>sum`, then a last line
 * `Total: <count> <sum>`. Blank lines are skipped; CRLF and a BOM are accepted.
 */
export async function* parseQiwiTsv(
  bytes: AsyncIterable<Buffer>,
  encoding: string,
): AsyncGenerator<RegistryEvent[]> {
  const decoder = new TextDecoder(encoding, { fatal: true })
  let trailerSeen = false
  for await (const batch of byteLines(bytes)) {
    const out: RegistryEvent[] = []
    for (const { line, data } of batch) {
      let text: string
      try {
        text = decoder.decode(data)
      } catch {
        out.push({ kind: 'malformed', line, reason: `not valid ${encoding} text`, text: '' })
        continue
      }
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      if (text.trim() === '') continue
      out.push(parseLine(line, text, trailerSeen))
      if (out[out.length - 1]?.kind === 'trailer') trailerSeen = true
    }
    if (out.length) yield out
  }
}

function parseLine(line: number, text: string, trailerSeen: boolean): RegistryEvent {
  try {
    if (trailerSeen) throw new f.LineFault('line after the Total: trailer')
    const trailer = trailerPattern.exec(text)
    if (trailer) {
      return { kind: 'trailer', line, count: f.count(trailer[1]), sum: f.total(trailer[2]) }
    }
    const cells = text.split('\t')
    if (cells.length !== 5) {
      throw new f.LineFault(`expected 5 tab-separated fields, found ${cells.length}`)
    }
    const [id, date, time, acc, sum] = cells
    return {
      kind: 'record',
      record: {
        line,
        externalId: f.txnId(id),
        localTime: f.localTime(date, time, 'dotted'),
        account: f.account(acc),
        amount: f.amount(sum),
      },
    }
  } catch (err) {
    return { kind: 'malformed', line, reason: f.faultReason(err), text: f.show(text, 120) }
  }
}
