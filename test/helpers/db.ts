import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { ExecutionContext, TestFn } from 'ava'
import pg from 'pg'
import { createDb, ensureDatabase, migrateLatest, migrationsDir, type Db } from '../../src/db.ts'

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export function databaseUrl(name: string): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

function migrationsHash(): string {
  const h = createHash('sha256')
  for (const f of readdirSync(migrationsDir).sort()) {
    h.update(f).update(readFileSync(path.join(migrationsDir, f)))
  }
  return h.digest('hex').slice(0, 12)
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl('postgres') })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

/** A migrated template database, built once per set of migrations. */
async function template(): Promise<string> {
  const name = `cg_template_${migrationsHash()}`
  await admin(async (c) => {
    await c.query('select pg_advisory_lock(726351)')
    try {
      const found = await c.query('select 1 from pg_database where datname = $1', [name])
      if (found.rowCount) return
      const building = `${name}_build`
      await c.query(`drop database if exists "${building}"`)
      await ensureDatabase(databaseUrl(building))
      const db = createDb(databaseUrl(building), { min: 0, max: 1 })
      try {
        await migrateLatest(db)
      } finally {
        await db.destroy()
      }
      await c.query(`alter database "${building}" rename to "${name}"`)
    } finally {
      await c.query('select pg_advisory_unlock(726351)')
    }
  })
  return name
}

export interface TestDb {
  db: Db
  url: string
  name: string
}

/** A fresh database cloned from the migrated template, dropped afterwards. */
export async function freshDb(pool = { min: 0, max: 20 }): Promise<TestDb> {
  const tpl = await template()
  const name = `cg_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin((c) => c.query(`create database "${name}" template "${tpl}"`))
  const url = databaseUrl(name)
  return { db: createDb(url, pool), url, name }
}

export async function dropDb(t: TestDb): Promise<void> {
  await t.db.destroy()
  await admin((c) => c.query(`drop database if exists "${t.name}" with (force)`))
}

/**
 * Gives each test file its own database: `const ctx = useDb(test)`. AVA runs
 * a file's before-hooks concurrently, so another hook must read `ctx.db`
 * lazily (inside a function), never at the hook's start.
 */
export function useDb<C>(
  test: TestFn<C>,
  pool?: { min: number; max: number },
): TestDb {
  const holder = {} as TestDb
  test.before(async () => {
    Object.assign(holder, await freshDb(pool))
  })
  test.after.always(async () => {
    if (holder.name) await dropDb(holder)
  })
  return holder
}

export type { ExecutionContext }
