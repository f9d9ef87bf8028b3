import type { Config } from '../config.ts'
import type { Db } from '../db.ts'
import type { Logger } from '../log.ts'
import type { PopulationRegistry } from '../payers/index.ts'
import { failureLimiter, loginRules, lookupRules, type FailureLimiter } from './limits.ts'
import { createPhotos, type PhotoSource } from './photos.ts'
import { createSms, type SmsSender } from './sms/index.ts'

/** What the web cabinet takes from the application context. */
export interface WebAppContext {
  config: Config
  db: Db
  log: Logger
  registry: PopulationRegistry
}

/** Everything the cabinet pages use, built once per router. */
export interface WebDeps extends WebAppContext {
  sms: SmsSender
  /** Failed logins, per cabinet and per address. */
  logins: FailureLimiter
  /** Wrong old passwords and password-reset requests. */
  passwords: FailureLimiter
  /** Registry lookups that found nothing or the wrong FIN (registration, renewal). */
  lookups: FailureLimiter
  photos: PhotoSource
}

export type WebOverrides = Partial<Pick<WebDeps, 'sms' | 'photos'>>

export function buildDeps(app: WebAppContext, overrides: WebOverrides = {}): WebDeps {
  const log = app.log.child({ component: 'web' })
  return {
    config: app.config,
    db: app.db,
    log,
    registry: app.registry,
    sms: overrides.sms ?? createSms(app.config, app.log),
    logins: failureLimiter(app.db, 'login', loginRules),
    passwords: failureLimiter(app.db, 'password', loginRules),
    lookups: failureLimiter(app.db, 'lookup', lookupRules),
    photos: overrides.photos ?? createPhotos(app.config, app.db),
  }
}
