import { formatAmount } from '../money.ts'

/** +994501234567 → +994 50 123 45 67 */
export function formatMobile(phone: string): string {
  const m = /^\+994(\d{2})(\d{3})(\d{2})(\d{2})$/.exec(phone)
  return m ? `+994 ${m[1]} ${m[2]} ${m[3]} ${m[4]}` : phone
}

/** 1250n → "12.50 AZN" */
export function formatBalance(q: bigint): string {
  return `${formatAmount(q)} AZN`
}

/** "1977-11-30" → "30.11.1977", as dates are written in Azerbaijan. */
export function formatDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : day
}

export const sexNames: Record<'male' | 'female', string> = { male: 'Kişi', female: 'Qadın' }

const countries: Record<string, string> = {
  AZE: 'Azərbaycan', RUS: 'Rusiya', TUR: 'Türkiyə', GEO: 'Gürcüstan', UKR: 'Ukrayna',
  IRN: 'İran', KAZ: 'Qazaxıstan', UZB: 'Özbəkistan', BLR: 'Belarus', DEU: 'Almaniya',
}

export function countryName(code: string): string {
  return countries[code] ?? code
}

/** A landline as typed: 7 to 15 digits with an optional +, kept without separators. */
export function parseHomePhone(input: string): string | null {
  const v = input.replace(/[\s().-]/g, '')
  return /^\+?\d{7,15}$/.test(v) ? v : null
}

/** Document as the card prints it: "AZE 10293847", or "AA0123456" for new cards. */
export function formatDocument(series: string, number: string): string {
  return series === '-' ? number : `${series} ${number}`
}

/** "VÜSAL" → "Vüsal", by Azerbaijani casing rules (I → ı, İ → i). */
export function titleCase(word: string): string {
  const lower = word.toLocaleLowerCase('az')
  return lower.replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, ch: string) =>
    sep + ch.toLocaleUpperCase('az'))
}
