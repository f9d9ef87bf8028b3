import Router from '@koa/router'
import type { WebAppContext, WebOverrides } from './deps.ts'
import { webMiddleware } from './middleware.ts'
import { authRoutes } from './routes/auth.ts'
import { contactRoutes } from './routes/contacts.ts'
import { infoRoutes } from './routes/info.ts'
import { passwordRoutes } from './routes/password.ts'
import { profileRoutes } from './routes/profile.ts'
import { registrationRoutes } from './routes/registration.ts'
import type { WebState } from './state.ts'

/**
 * The web cabinet in Azerbaijani: information, registration, login and
 * logout, personal and contact data, password change and reset. The app
 * mounts it at `/`.
 */
export function webRouter(app: WebAppContext, overrides: WebOverrides = {}): Router<WebState> {
  const router = new Router<WebState>()
  router.use(...webMiddleware(app, overrides))
  infoRoutes(router)
  registrationRoutes(router)
  authRoutes(router)
  profileRoutes(router)
  contactRoutes(router)
  passwordRoutes(router)
  return router
}

export type { WebAppContext, WebDeps, WebOverrides } from './deps.ts'
export { requireLogin, webMiddleware } from './middleware.ts'
export { renderError, renderPage, webViews, type PageOptions } from './render.ts'
export type { SmsSender } from './sms/index.ts'
export {
  formFields, seeOther, setFlash, type WebCtx, type WebState,
} from './state.ts'
