/** Azerbaijani mobile operators' codes after +994. */
export const mobilePrefixes = ['10', '50', '51', '55', '60', '70', '77', '99'] as const

export type FieldCheck = { ok: true; value: string } | { ok: false }

function strip(input: string): string {
  return input.replace(/[\s()\u2010-\u2015-]/g, '')
}

/**
 * A mobile number as typed (`050 123 45 67`, `+994 50 123-45-67`,
 * `994501234567`, `501234567`) in the one stored form `+994501234567`.
 */
export function parseMobile(input: string): FieldCheck {
  const digits = strip(input)
  const m = /^(?:\+?994|0)?(\d{2})(\d{7})$/.exec(digits)
  if (!m || !(mobilePrefixes as readonly string[]).includes(m[1]!)) return { ok: false }
  return { ok: true, value: `+994${m[1]}${m[2]}` }
}

/** A landline as typed: 7 to 15 digits with an optional +, stored without separators. */
export function parseHomePhone(input: string): FieldCheck {
  const v = strip(input)
  return /^\+?\d{7,15}$/.test(v) ? { ok: true, value: v } : { ok: false }
}

/** A plain e-mail address check: one @, a dot in the domain, no spaces, at most 254. */
export function parseEmail(input: string): FieldCheck {
  const v = input.trim()
  const ok = v.length <= 254 && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]{2,}$/.test(v)
  return ok ? { ok: true, value: v.toLowerCase() } : { ok: false }
}

/** +994501234567 → +994 50 123 45 67 */
export function formatMobile(phone: string): string {
  const m = /^\+994(\d{2})(\d{3})(\d{2})(\d{2})$/.exec(phone)
  return m ? `+994 ${m[1]} ${m[2]} ${m[3]} ${m[4]}` : phone
}
