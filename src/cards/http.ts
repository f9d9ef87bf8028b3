import { GatewayError } from '../errors.ts'

export interface HttpAnswer {
  status: number
  text: string
  ms: number
}

const notSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/

/**
 * Posts a form to a processor. A timeout or transport fault throws
 * GatewayError 'unavailable' with details.sent saying whether the request may
 * have reached the processor (then only a status query can tell what happened).
 */
export async function postForm(
  url: string, fields: Record<string, string>, timeoutMs: number,
): Promise<HttpAnswer> {
  const started = performance.now()
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json, text/plain, */*',
      },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    })
    const text = await res.text()
    return { status: res.status, text, ms: Math.round(performance.now() - started) }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? ''
    const name = (err as Error).name
    const sent = !notSent.test(cause)
    const why = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause || name
    throw new GatewayError('unavailable', `processor did not answer: ${why}`, {
      sent, ms: Math.round(performance.now() - started),
    })
  }
}
