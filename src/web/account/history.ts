import { DateTime } from 'luxon'
import type { Db } from '../../db.ts'
import { cabinetHistory, type HistoryRow } from '../../ledger/index.ts'
import { formatAmount } from '../../money.ts'

/** The centre's time zone: every date and time a holder sees is in it. */
export const cabinetZone = 'Asia/Baku'
export const perPage = 20

export interface CreditLine {
  /** The payment code, when the money came with one. */
  code: string | null
  /** What the money is when it has no code: a transfer in, a refund. */
  note: string | null
  amount: string
  date: string
  time: string
}

export interface DebitLine {
  purpose: string
  servedPerson: string
  amount: string
  date: string
  time: string
}

export interface HistoryView<L> {
  lines: L[]
  /** Over every page, not only this one. */
  total: string
  count: number
  page: number
  pages: number
}

/** A moment as the holder reads it: date and time in Baku. */
export function bakuDateTime(at: Date): { date: string; time: string } {
  const local = DateTime.fromJSDate(at, { zone: cabinetZone })
  return { date: local.toFormat('dd.LL.yyyy'), time: local.toFormat('HH:mm:ss') }
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)

function creditLine(r: HistoryRow): CreditLine {
  const m = r.metadata
  const code = text(m.paymentCode)
  const note = code ? null
    : r.kind === 'transfer' ? `Köçürmə: kabinet № ${text(m.fromCabinet) ?? '—'}`
      + (text(m.fromName) ? ` (${text(m.fromName)})` : '')
      : r.kind === 'refund' ? `Geri qaytarma: ${text(m.purpose) ?? 'xidmət'}`
        : 'Düzəliş'
  return { code, note, amount: formatAmount(r.amount), ...bakuDateTime(r.createdAt) }
}

function debitLine(r: HistoryRow): DebitLine {
  const m = r.metadata
  const [purpose, servedPerson] = r.kind === 'charge'
    ? [text(m.purpose) ?? '—', text(m.servedPerson) ?? '—']
    : r.kind === 'transfer'
      ? [`Köçürmə: kabinet № ${text(m.toCabinet) ?? '—'}`,
        text(m.toName) ?? '—']
      : r.kind === 'reversal'
        ? [`Ödənişin ləğvi${text(m.paymentCode) ? `: ${text(m.paymentCode)}` : ''}`, '—']
        : ['Düzəliş', '—']
  return { purpose, servedPerson, amount: formatAmount(r.amount), ...bakuDateTime(r.createdAt) }
}

/** *Hesaba əlavə edilmiş məbləğlər*: one page of credits with their total. */
export async function creditsView(db: Db, cabinetId: bigint, page: number)
  : Promise<HistoryView<CreditLine>> {
  const h = await cabinetHistory(db, cabinetId, { direction: 'credits', page, perPage })
  return { lines: h.rows.map(creditLine), total: formatAmount(h.total), count: h.count,
    page: h.page, pages: h.pages }
}

/** *Hesabdan istifadələr*: one page of debits with their total. */
export async function debitsView(db: Db, cabinetId: bigint, page: number)
  : Promise<HistoryView<DebitLine>> {
  const h = await cabinetHistory(db, cabinetId, { direction: 'debits', page, perPage })
  return { lines: h.rows.map(debitLine), total: formatAmount(h.total), count: h.count,
    page: h.page, pages: h.pages }
}

/** A page number from the query string: 1 for anything that is not a page number. */
export function pageParam(raw: unknown): number {
  return typeof raw === 'string' && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : 1
}
