import type { Knex } from 'knex'

// The store of rate-limiter-flexible's Postgres limiter (failed logins, SMS
// sends), in the shape it expects. `expire` is milliseconds since the epoch as
// float8, not int8: int8 is parsed as bigint project-wide, and the library
// does number arithmetic on it. A float8 holds these values exactly.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('web_rate_limits', (t) => {
    t.string('key', 255).primary()
    t.integer('points').notNullable().defaultTo(0)
    t.double('expire')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('web_rate_limits')
}
