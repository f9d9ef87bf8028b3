import path from 'node:path'
import { fileURLToPath } from 'node:url'
import knexFactory, { type Knex } from 'knex'
import pg from 'pg'

// int8 comes back as bigint, never as a float or a lossy number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => BigInt(v))

export type Db = Knex
export type Trx = Knex.Transaction

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const migrationsDir = path.join(root, 'migrations')

export const migrationConfig: Knex.MigratorConfig = {
  directory: migrationsDir,
  loadExtensions: ['.ts'],
  tableName: 'knex_migrations',
}

export function createDb(databaseUrl: string, pool = { min: 0, max: 10 }): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl, application_name: 'cabinet-gateway' },
    pool,
    migrations: migrationConfig,
    acquireConnectionTimeout: 10_000,
  })
}

function isStalePlan(err: unknown): boolean {
  // A prepared statement whose result columns a migration changed under it.
  return (err as { code?: string }).code === '0A000'
    && /cached plan must not change result type/.test((err as Error).message)
}

/**
 * Runs a named prepared statement: Postgres parses and plans it once per
 * connection instead of on every call. Arrays go as one parameter each. For
 * the hot paths only; knex builds everything else. Inside a transaction the
 * transaction's own connection runs it (knex's transaction client hands out
 * that one and its release is a no-op); otherwise a pooled one, given back.
 *
 * Statements name their result columns, so a column added by a migration
 * while the gateway runs changes nothing. Should a migration still change a
 * statement's result, the connection holding the old plan is closed (the
 * pool then drops it) and, outside a transaction, the call is made once more
 * on a fresh connection.
 */
export async function queryPrepared(db: Db | Trx, statement: { name: string; text: string },
  values: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.client.acquireConnection() as pg.Client
    try {
      return await client.query({ ...statement, values })
    } catch (err) {
      if (!isStalePlan(err)) throw err
      await client.end().catch(() => {})
      if (db.isTransaction || attempt >= 2) throw err
    } finally {
      await db.client.releaseConnection(client)
    }
  }
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl)
  const name = decodeURIComponent(target.pathname.slice(1))
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unsupported database name "${name}"`)
  const admin = new URL(databaseUrl)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name])
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`)
      } catch (err) {
        // Another process created it between our check and our create.
        if ((err as { code?: string }).code !== '42P04') throw err
      }
    }
  } finally {
    await client.end()
  }
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest()
  return applied as string[]
}
