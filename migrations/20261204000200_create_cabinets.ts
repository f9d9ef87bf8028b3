import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  // Cabinet numbers are this sequence's value followed by a check digit.
  await knex.raw('create sequence cabinet_number_base_seq start with 100001')
  await knex.schema.createTable('cabinets', (t) => {
    t.bigIncrements('id')
    t.bigInteger('number').notNullable().unique()
    t.text('document_series').notNullable()
    t.text('document_number').notNullable()
    t.text('document').notNullable().unique()
    t.text('fin').notNullable().unique()
    t.text('surname').notNullable()
    t.text('name').notNullable()
    t.text('patronymic').notNullable().defaultTo('')
    t.text('sex').notNullable()
    t.date('birth_date').notNullable()
    t.text('citizenship').notNullable()
    t.text('district').notNullable().defaultTo('')
    t.text('address').notNullable().defaultTo('')
    t.text('actual_district')
    t.text('actual_address')
    t.text('home_phone')
    t.text('mobile')
    t.timestamp('mobile_confirmed_at', { useTz: true })
    t.text('email')
    t.text('password_hash')
    t.boolean('blocked').notNullable().defaultTo(false)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw(`alter table cabinets add constraint cabinets_series_check
    check (document_series in ('-', 'AZE', 'MYI', 'DYI'))`)
  await knex.raw(`alter table cabinets add constraint cabinets_fin_check
    check (fin ~ '^[0-9A-Z]{7}$')`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cabinets')
  await knex.raw('drop sequence cabinet_number_base_seq')
}
