import { GatewayError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { maskPhone, type SmsSender } from './types.ts'

export interface HttpSmsOptions {
  url: string
  log: Logger
  timeoutMs?: number
}

/**
 * Production driver: POSTs `{ "to": "+994…", "text": "…" }` as JSON to the SMS
 * gateway and treats any 2xx answer as sent. Everything else is 'unavailable'.
 */
export function httpSms({ url, log, timeoutMs = 10_000 }: HttpSmsOptions): SmsSender {
  if (!/^https?:\/\//.test(url)) throw new GatewayError('internal', 'SMS_URL is not set')
  const smsLog = log.child({ component: 'sms', driver: 'http' })
  return {
    driver: 'http',
    async send({ to, text }) {
      const started = Date.now()
      let status = 0
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ to, text }),
          signal: AbortSignal.timeout(timeoutMs),
        })
        status = res.status
        await res.arrayBuffer()
      } catch (err) {
        smsLog.warn({ to: maskPhone(to), err, ms: Date.now() - started }, 'sms gateway unreachable')
        throw new GatewayError('unavailable', 'the SMS gateway could not be reached')
      }
      const ms = Date.now() - started
      if (status < 200 || status >= 300) {
        smsLog.warn({ to: maskPhone(to), status, ms }, 'sms gateway refused the message')
        throw new GatewayError('unavailable', `the SMS gateway answered HTTP ${status}`)
      }
      smsLog.info({ to: maskPhone(to), status, ms }, 'sms sent')
    },
  }
}
