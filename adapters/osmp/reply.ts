import { XMLBuilder } from 'fast-xml-parser'
import type { StoredReply } from '../../src/payments/accept.ts'
import { osmpResults, type OsmpResult } from './codes.ts'
import type { OsmpOptions } from './options.ts'

/** What a command answers, before it becomes XML. */
export interface OsmpReply {
  result: OsmpResult
  comment: string
  /** Our payment id (`pay`, `status`). */
  prvTxn?: string
  /** The sum as credited, two decimals (`pay`, `status`). */
  sum?: string
  /** The payer's masked name (`check`). */
  name?: string
  /** The payment code a voucher `pay` bought, for the receipt. */
  code?: string
}

export const xmlContentType = 'text/xml; charset=utf-8'

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
})

// Characters XML 1.0 cannot carry, even escaped: control characters and lone
// surrogates. An echoed parameter must not make the reply unreadable.
const notXml = new RegExp([
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
  '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
  '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
].join('|'), 'g')

const xmlText = (s: string) => s.replace(notXml, '\uFFFD')

export function replyFor(result: OsmpResult, comment?: string): OsmpReply {
  return { result, comment: comment ?? osmpResults[result].comment }
}

/**
 * The XML a network receives. A serializer escapes every value (`&`, `<`,
 * quotes), and element order is fixed, so a stored reply renders to the same
 * bytes every time.
 */
export function renderReply(reply: OsmpReply, txnId: string | undefined,
  style: OsmpOptions['replyName']): string {
  const response: Record<string, unknown> = {}
  if (txnId !== undefined) response.osmp_txn_id = txnId
  if (reply.prvTxn !== undefined) response.prv_txn = reply.prvTxn
  if (reply.sum !== undefined) response.sum = reply.sum
  response.result = String(reply.result)
  response.comment = xmlText(reply.comment)
  if (reply.name !== undefined) {
    const name = xmlText(reply.name)
    if (style === 'addinfo') response.addinfo = name
    else response.fields = { field1: { '@_name': 'name', '#text': name } }
  }
  if (reply.code !== undefined) {
    if (style === 'addinfo') response.addinfo = reply.code
    else response.fields = { field1: { '@_name': 'code', '#text': reply.code } }
  }
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    response,
  }) as string
}

/** The reply as stored with the payment, for replays. */
export function storedReply(reply: OsmpReply): StoredReply {
  const out: StoredReply = { result: reply.result, comment: reply.comment }
  if (reply.prvTxn !== undefined) out.prv_txn = reply.prvTxn
  if (reply.sum !== undefined) out.sum = reply.sum
  if (reply.code !== undefined) out.code = reply.code
  return out
}

export function fromStored(stored: StoredReply): OsmpReply {
  const result = Number(stored.result)
  if (!(result in osmpResults)) throw new Error(`stored reply has unknown result ${result}`)
  return {
    result: result as OsmpResult,
    comment: String(stored.comment ?? ''),
    ...(stored.prv_txn !== undefined ? { prvTxn: String(stored.prv_txn) } : {}),
    ...(stored.sum !== undefined ? { sum: String(stored.sum) } : {}),
    ...(stored.code !== undefined ? { code: String(stored.code) } : {}),
  }
}
