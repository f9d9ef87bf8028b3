import { SaxesParser, type SaxesTagPlain } from 'saxes'
import * as f from './fields.ts'
import type { RegistryEvent } from './fields.ts'
import { decodedText } from './source.ts'

/**
 * XML registry: a root `<registry>` whose optional `count` and `total`
 * attributes are the trailer, holding one empty element per payment:
 * `<payment txn_id="1001" date="2026-12-03" time="23:59:59" account="AA0123456"
 * amount="10.45"/>`. Any other element inside the root is a malformed line.
 */
export async function* parseXml(
  bytes: AsyncIterable<Buffer>,
  encoding: string,
): AsyncGenerator<RegistryEvent[]> {
  const parser = new SaxesParser({ position: true, xmlns: false })
  let out: RegistryEvent[] = []
  let depth = 0
  let rootSeen = false
  parser.on('error', (err) => {
    throw f.unreadable(`XML: ${err.message}`)
  })
  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth++
    if (depth === 1) {
      if (tag.name !== 'registry') throw f.unreadable(`XML root is <${tag.name}>, not <registry>`)
      rootSeen = true
      const trailer = rootTrailer(parser.line, tag.attributes)
      if (trailer) out.push(trailer)
    } else if (depth === 2) {
      out.push(payment(parser.line, tag))
    } else {
      out.push({ kind: 'malformed', line: parser.line, reason: `unexpected <${tag.name}>`,
        text: `<${f.show(tag.name)}>` })
    }
  })
  parser.on('closetag', () => {
    depth--
  })
  for await (const text of decodedText(bytes, encoding)) {
    parser.write(text)
    if (out.length) {
      yield out
      out = []
    }
  }
  parser.close()
  if (!rootSeen) throw f.unreadable('XML has no <registry> element')
  if (out.length) yield out
}

function rootTrailer(line: number, attrs: Record<string, string>): RegistryEvent | undefined {
  if (attrs.count === undefined && attrs.total === undefined) return undefined
  try {
    return { kind: 'trailer', line, count: f.count(attrs.count), sum: f.total(attrs.total) }
  } catch (err) {
    return { kind: 'malformed', line, reason: f.faultReason(err), text: '<registry>' }
  }
}

function payment(line: number, tag: SaxesTagPlain): RegistryEvent {
  const a = tag.attributes
  try {
    if (tag.name !== 'payment') throw new f.LineFault(`unexpected <${f.show(tag.name)}>`)
    return {
      kind: 'record',
      record: {
        line,
        externalId: f.txnId(a.txn_id),
        localTime: f.localTime(a.date, a.time, 'iso'),
        account: f.account(a.account),
        amount: f.amount(a.amount),
      },
    }
  } catch (err) {
    const shown = Object.entries(a).map(([k, v]) => `${k}="${v}"`).join(' ')
    return { kind: 'malformed', line, reason: f.faultReason(err),
      text: f.show(`<${tag.name} ${shown}>`, 120) }
  }
}
