import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import { cabinetBalance } from '../ledger/index.ts'
import { fullName } from '../payers/index.ts'
import { formatBalance } from './format.ts'
import { ensureSession, takeFlash, type WebCtx } from './state.ts'

/** The cabinet's own templates; other page groups pass their own folder. */
export const webViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views')

const engines = new Map<string, Eta>()

function eta(dir: string): Eta {
  let engine = engines.get(dir)
  if (!engine) {
    engine = new Eta({ views: dir, autoEscape: true, cache: true, autoTrim: [false, 'nl'] })
    engines.set(dir, engine)
  }
  return engine
}

/** What the header shows about the logged-in holder. */
export interface HeaderUser {
  number: string
  fullName: string
  balance: string
}

export interface PageOptions {
  title: string
  status?: number
  /** Folder of `template`; the cabinet's own views when absent. */
  views?: string
  /** The page holds a form, so it needs a session and its CSRF token. */
  form?: boolean
}

interface LayoutData {
  title: string
  body: string
  user: HeaderUser | null
  csrf: string | null
  flash: string | null
}

function layout(data: LayoutData): string {
  return eta(webViews).render('layout', data)
}

/**
 * Renders `template` inside the cabinet layout: the header with the holder's
 * number, name, balance and photo when logged in, the navigation, and a
 * one-time notice. Templates get `it.csrf` for their forms' hidden `_csrf`.
 */
export async function renderPage(
  ctx: WebCtx,
  template: string,
  data: object,
  opts: PageOptions,
): Promise<void> {
  const cabinet = ctx.state.cabinet
  const session = opts.form || cabinet ? await ensureSession(ctx) : ctx.state.session
  const csrf = session?.csrfSecret ?? null
  const flash = (await takeFlash(ctx)) ?? null
  const user = cabinet
    ? {
      number: String(cabinet.number),
      fullName: fullName(cabinet),
      balance: formatBalance(await cabinetBalance(ctx.state.web.db, cabinet.id)),
    }
    : null
  const body = eta(opts.views ?? webViews).render(template, { ...data, csrf })
  ctx.status = opts.status ?? 200
  ctx.type = 'text/html; charset=utf-8'
  ctx.body = layout({ title: opts.title, body, user, csrf, flash })
}

/** An error page that needs neither the database nor a session. */
export function renderError(ctx: WebCtx, status: number, message: string): void {
  const body = eta(webViews).render('error', { message, status })
  ctx.status = status
  ctx.type = 'text/html; charset=utf-8'
  ctx.body = layout({ title: 'Xəta', body, user: null, csrf: null, flash: null })
}
