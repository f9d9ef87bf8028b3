import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HostedRedirect } from './processor.ts'

/** The pay pages' templates, rendered inside the cabinet layout. */
export const cardViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views')

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function shell(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="az"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/kabinet.css">${head}
</head><body><main id="esas">${body}</main></body></html>`
}

/** A page that needs neither a session nor the database. */
export function plainPage(title: string, message: string): string {
  return shell(title, `<h1>${escapeHtml(title)}</h1><p class="notice">${escapeHtml(message)}</p>`
    + '<p><a href="/kartla-odenis">Kartla ödəniş səhifəsinə qayıt</a></p>')
}

/**
 * The hand-off to the hosted page: a form that submits itself, with a button
 * for browsers without JavaScript. The script runs only under `nonce`.
 */
export function redirectPage(r: HostedRedirect, processorLabel: string, nonce: string): string {
  const inputs = Object.entries(r.fields).map(([k, v]) =>
    `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n')
  return shell('Ödəniş səhifəsinə keçid', `<h1>Ödəniş səhifəsinə keçid</h1>
<form id="handoff" method="${r.method.toLowerCase()}" action="${escapeHtml(r.action)}">
${inputs}
<p>${escapeHtml(processorLabel)} ödəniş səhifəsinə yönləndirilirsiniz…</p>
<noscript><button type="submit">Ödəniş səhifəsinə keç</button></noscript>
</form>
<script nonce="${nonce}">document.getElementById('handoff').submit()</script>`)
}

/** CSP for the hand-off: our styles, the one script, and forms to the processor only. */
export function redirectPolicy(r: HostedRedirect, nonce: string): string {
  const target = new URL(r.action).origin
  return [
    "default-src 'none'", "style-src 'self'", "img-src 'self'", `script-src 'nonce-${nonce}'`,
    `form-action 'self' ${target}`, "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; ')
}
