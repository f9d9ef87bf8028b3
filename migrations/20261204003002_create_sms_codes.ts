import type { Knex } from 'knex'

// One-time SMS codes: confirming a new mobile number and resetting a
// password. Only a salted HMAC of the code is kept.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_codes', (t) => {
    t.bigIncrements('id')
    t.bigInteger('cabinet_id').notNullable().references('cabinets.id').onDelete('CASCADE')
    t.text('purpose').notNullable()
    t.text('phone').notNullable()
    t.text('code_hash').notNullable()
    t.text('salt').notNullable()
    t.integer('attempts').notNullable().defaultTo(0)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('expires_at', { useTz: true }).notNullable()
    t.timestamp('used_at', { useTz: true })
    t.index(['cabinet_id', 'purpose', 'created_at'])
  })
  await knex.raw(`alter table sms_codes add constraint sms_codes_purpose_check
    check (purpose in ('confirm_mobile', 'reset_password'))`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sms_codes')
}
