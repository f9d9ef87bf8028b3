import Router from '@koa/router'
import type { AppContext } from '../context.ts'

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await withTimeout(check(), 2000)
    return 'ok'
  } catch (err) {
    return err instanceof Error ? err.message.slice(0, 120) : 'failed'
  }
}

/** `/healthz` (the process answers), `/readyz` (Postgres and Redis answer), `/metrics`. */
export function healthRouter(ctx: AppContext): Router {
  const router = new Router()
  router.get('/healthz', (c) => {
    c.body = { status: 'ok' }
  })
  router.get('/readyz', async (c) => {
    const [postgres, redis] = await Promise.all([
      probe(() => ctx.db.raw('select 1')),
      probe(() => ctx.queues.credits.connection.ping()),
    ])
    const ready = postgres === 'ok' && redis === 'ok'
    c.status = ready ? 200 : 503
    c.body = { status: ready ? 'ready' : 'not ready', postgres, redis }
  })
  router.get('/metrics', async (c) => {
    c.type = ctx.metrics.registry.contentType
    c.body = await ctx.metrics.registry.metrics()
  })
  return router
}
