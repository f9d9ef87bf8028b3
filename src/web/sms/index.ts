import type { Config } from '../../config.ts'
import type { Logger } from '../../log.ts'
import { httpSms } from './http.ts'
import { logSms } from './log.ts'
import type { SmsSender } from './types.ts'

/** The driver named by SMS_DRIVER: `log` for development, `http` for a real gateway. */
export function createSms(config: Pick<Config, 'smsDriver' | 'smsUrl'>, log: Logger): SmsSender {
  const drivers: Record<Config['smsDriver'], () => SmsSender> = {
    log: () => logSms(log),
    http: () => httpSms({ url: config.smsUrl ?? '', log }),
  }
  return drivers[config.smsDriver]()
}

export { httpSms } from './http.ts'
export { logSms } from './log.ts'
export { maskPhone, type SmsMessage, type SmsSender } from './types.ts'
