// For `tsx node_modules/knex/bin/cli.js`; the gateway migrates through
// `cabinet-gateway migrate` and `npm start` without this file.
import { migrationConfig } from './src/db.ts'

export default {
  client: 'pg',
  connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cabinet_gateway',
  migrations: migrationConfig,
}
