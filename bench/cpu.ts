import { readdirSync, readFileSync } from 'node:fs'

/**
 * Where the machine's CPU went during a run, from /proc (Linux only): the
 * whole machine, and the processes of a few named groups. On a 2-core machine
 * the load generator, the gateway, Postgres and Redis share the same cores,
 * so a throughput figure is only understood next to what each part spent.
 */

export type Groups = Record<string, (pid: number, comm: string) => boolean>

export interface CpuSnapshot {
  /** Clock ticks (USER_HZ, 100 per second on Linux) by group. */
  groups: Record<string, number>
  busy: number
  total: number
}

const ticksPerSecond = 100

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
  const idle = (v[3] ?? 0) + (v[4] ?? 0)
  return { busy: total - idle, total }
}

function processTicks(pid: string): { comm: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm is in parentheses and may hold spaces; the fields follow the last ')'.
    const close = stat.lastIndexOf(')')
    const comm = stat.slice(stat.indexOf('(') + 1, close)
    const f = stat.slice(close + 2).split(' ')
    return { comm, ticks: Number(f[11]) + Number(f[12]) }
  } catch {
    return undefined // gone between listing and reading
  }
}

/** Undefined where /proc is not there to read. */
export function cpuSnapshot(groups: Groups): CpuSnapshot | undefined {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return undefined
  }
  const out: Record<string, number> = Object.fromEntries(Object.keys(groups).map((g) => [g, 0]))
  for (const pid of pids) {
    const p = processTicks(pid)
    if (!p) continue
    for (const [name, member] of Object.entries(groups)) {
      if (member(Number(pid), p.comm)) {
        out[name] = (out[name] ?? 0) + p.ticks
        break
      }
    }
  }
  return { groups: out, ...machineTicks() }
}

export interface CpuSpent {
  /** Microseconds of CPU per unit of work, by group, plus `machine` and `other`. */
  perUnitUs: Record<string, number>
  /** Share of the machine's CPU time left idle, 0..1. */
  idle: number
}

/**
 * CPU spent between two snapshots per unit of work. Processes that ended in
 * between are missing from their group (their time still counts in `machine`
 * and so in `other`).
 */
export function cpuSpent(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined,
  units: number): CpuSpent | undefined {
  if (!before || !after || units <= 0) return undefined
  const us = (ticks: number) => (ticks / ticksPerSecond) * 1e6 / units
  const perUnitUs: Record<string, number> = {}
  let named = 0
  for (const [g, t] of Object.entries(after.groups)) {
    const d = Math.max(0, t - (before.groups[g] ?? 0))
    named += d
    perUnitUs[g] = us(d)
  }
  const busy = after.busy - before.busy
  perUnitUs.machine = us(busy)
  perUnitUs.other = us(Math.max(0, busy - named))
  const total = after.total - before.total
  return { perUnitUs, idle: total > 0 ? 1 - busy / total : NaN }
}
