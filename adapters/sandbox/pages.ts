import type { SandboxOrder } from './app.ts'

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="az"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
.box{border:2px dashed #c60;padding:1rem 1.5rem;border-radius:.5rem}
.warn{color:#c60;font-weight:bold}button{font-size:1.1rem;padding:.5rem 1.2rem;margin:.3rem}
dt{color:#666}dd{margin:0 0 .6rem 0;font-size:1.1rem}
</style></head><body>${body}</body></html>`
}

export function notice(message: string): string {
  return page('Sandbox', `<div class="box"><p class="warn">SANDBOX</p><p>${escapeHtml(message)}`
    + '</p></div>')
}

/** The hosted page: no card is asked for; the payer only decides. */
export function hostedPage(o: SandboxOrder, merchant: string, description: string): string {
  const action = `/sandbox/odenis/${encodeURIComponent(o.order)}`
  return page('Sandbox ödəniş səhifəsi', `<div class="box">
<p class="warn">SANDBOX — test ödəniş səhifəsi. Heç bir real kartdan pul çıxılmır.</p>
<dl><dt>Satıcı</dt><dd>${escapeHtml(merchant)}</dd>
<dt>Təyinat</dt><dd>${escapeHtml(description)}</dd>
<dt>Məbləğ</dt><dd id="amount">${escapeHtml(o.amount)} AZN</dd>
<dt>Kart</dt><dd>4169 73•• •••• 1234 (test)</dd></dl>
<form method="post" action="${escapeHtml(action)}">
<button type="submit" name="action" value="pay" id="pay">Ödə</button>
<button type="submit" name="action" value="decline" id="decline">İmtina et</button>
</form></div>`)
}

/** Sends the payer back to BACKREF with the signed result, as the real gateway does. */
export function relayForm(backref: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields).map(([k, v]) =>
    `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n')
  return page('Sandbox', `<form id="relay" method="post" action="${escapeHtml(backref)}">
${inputs}
<p>Satıcının saytına qayıdırsınız…</p>
<noscript><button type="submit">Davam et</button></noscript>
</form>
<script>document.getElementById('relay').submit()</script>`)
}
