import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderPage, type PageOptions } from '../render.ts'
import type { WebCtx } from '../state.ts'

// The views root is src/web, so these templates can include the cabinet's
// partials as `/views/partials/…` beside their own `account/views/…`.
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Renders one of the account templates inside the cabinet layout. */
export function accountPage(ctx: WebCtx, template: string, data: object,
  opts: Omit<PageOptions, 'views'>): Promise<void> {
  return renderPage(ctx, `account/views/${template}`, data, { ...opts, views: webDir })
}
