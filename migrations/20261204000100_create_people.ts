import type { Knex } from 'knex'

// The local population-registry table, loaded from a file in development.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('people', (t) => {
    t.text('document').primary()
    t.text('fin').notNullable().unique()
    t.text('surname').notNullable()
    t.text('name').notNullable()
    t.text('patronymic').notNullable().defaultTo('')
    t.text('sex').notNullable()
    t.date('birth_date').notNullable()
    t.text('citizenship').notNullable()
    t.text('district').notNullable().defaultTo('')
    t.text('address').notNullable().defaultTo('')
    t.binary('photo')
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('people')
}
