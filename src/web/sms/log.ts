import type { Logger } from '../../log.ts'
import { maskPhone, type SmsSender } from './types.ts'

/**
 * Development driver: nothing leaves the process. The send is logged at info
 * without the text; the text (which holds the code) only at debug, so a
 * developer running with LOG_LEVEL=debug can finish a confirmation.
 */
export function logSms(log: Logger): SmsSender {
  const smsLog = log.child({ component: 'sms', driver: 'log' })
  return {
    driver: 'log',
    async send({ to, text }) {
      smsLog.info({ to: maskPhone(to), chars: text.length }, 'sms sent')
      smsLog.debug({ to: maskPhone(to), text }, 'sms text (development only)')
    },
  }
}
