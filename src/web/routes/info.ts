import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type Router from '@koa/router'
import { renderPage } from '../render.ts'
import type { WebState } from '../state.ts'

const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static')

/** The information page and the stylesheet. */
export function infoRoutes(router: Router<WebState>): void {
  const css = readFileSync(path.join(staticDir, 'kabinet.css'))

  router.get('/', (ctx) => renderPage(ctx, 'info', {}, { title: 'Məlumat' }))

  router.get('/static/kabinet.css', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600')
    ctx.type = 'text/css; charset=utf-8'
    ctx.body = css
  })
}
