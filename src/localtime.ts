import { IANAZone } from 'luxon'

/**
 * Wall-clock times without a zone (`YYYYMMDDHHMMSS`, as terminal networks
 * send them) read in a named zone. Asking Intl for a zone's offset is the
 * slow part (it was a seventh of the gateway's CPU on the pay path), so the
 * offset is remembered per zone and minute: offsets change at most on a
 * minute boundary.
 */

const offsets = new Map<string, number>()
const maxRemembered = 10_000

/** The zone's offset from UTC in minutes at the instant `utcMs`. */
export function zoneOffsetMinutes(zone: IANAZone, utcMs: number): number {
  const key = `${zone.name}|${Math.floor(utcMs / 60_000)}`
  let off = offsets.get(key)
  if (off === undefined) {
    off = zone.offset(utcMs)
    if (offsets.size >= maxRemembered) offsets.clear()
    offsets.set(key, off)
  }
  return off
}

const zones = new Map<string, IANAZone>()

function zoneNamed(name: string): IANAZone {
  let zone = zones.get(name)
  if (!zone) {
    zone = IANAZone.create(name)
    if (!zone.isValid) throw new RangeError(`unknown time zone ${name}`)
    zones.set(name, zone)
  }
  return zone
}

/**
 * The instant a 14-digit local time names in `zoneName`, or undefined when
 * no such time exists there: a 13th month, 30 February, an hour skipped by a
 * daylight-saving change. A time that occurs twice (the hour repeated in
 * autumn) is read as its first occurrence.
 */
export function localTimeToUtc(raw: string, zoneName: string): Date | undefined {
  if (!/^\d{14}$/.test(raw)) return undefined
  const n = (from: number, to: number) => Number(raw.slice(from, to))
  const [y, mo, d, h, mi, s] = [n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)]
  const check = new Date(0)
  // Not Date.UTC: it would read the years 0..99 as 1900..1999.
  check.setUTCFullYear(y, mo - 1, d)
  check.setUTCHours(h, mi, s)
  const wall = check.getTime()
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d
    || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) {
    return undefined
  }
  const zone = zoneNamed(zoneName)
  // The offsets in force a day before and a day after bracket any change.
  // The larger is tried first: of a repeated hour's two readings it gives
  // the earlier instant.
  const before = zoneOffsetMinutes(zone, wall - 86_400_000)
  const after = zoneOffsetMinutes(zone, wall + 86_400_000)
  for (const off of before >= after ? [before, after] : [after, before]) {
    const utc = wall - off * 60_000
    if (zoneOffsetMinutes(zone, utc) === off) return new Date(utc)
  }
  return undefined
}
