import type { Knex } from 'knex'

// Server-side sessions of the web cabinet. The cookie carries a random id;
// only its SHA-256 is stored, so a copy of this table cannot log anyone in.
// A row without cabinet_id is a visitor who has not logged in yet (its CSRF
// secret protects the login and registration forms).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('web_sessions', (t) => {
    t.text('id_hash').primary()
    t.bigInteger('cabinet_id').references('cabinets.id').onDelete('CASCADE')
    t.text('csrf_secret').notNullable()
    t.jsonb('data').notNullable().defaultTo('{}')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('expires_at', { useTz: true }).notNullable()
    t.index(['cabinet_id'])
    t.index(['expires_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('web_sessions')
}
