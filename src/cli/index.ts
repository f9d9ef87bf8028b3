import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config.ts'
import { isGatewayError } from '../errors.ts'
import { registerMigrate } from './migrate.ts'
import { registerPayments } from './payments.ts'
import { registerReconcile } from './reconcile.ts'
import { registerRegistry } from './registry.ts'
import { registerSweep } from './sweep.ts'
import { registerCabinet } from './cabinet.ts'
import { registerCodes } from './codes.ts'
import { registerCards } from './cards.ts'
import { registerPeople } from './people.ts'

/** Each area of the product adds its subcommands here. */
const registrations: Array<(program: Command) => void> = [
  registerMigrate,
  registerReconcile,
  registerRegistry,
  registerPayments,
  registerSweep,
  registerPeople,
  registerCabinet,
  registerCodes,
  registerCards,
]

export function buildProgram(): Command {
  const program = new Command('cabinet-gateway')
    .description('Operator commands of the cabinet payment gateway')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  for (const register of registrations) register(program)
  return program
}

/** Exit codes: 0 fine, 1 failed or needs attention, 2 bad usage or unreadable input. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2
    }
    const reason = err instanceof Error ? err.message : String(err)
    process.stderr.write(`cabinet-gateway: ${reason.split('\n')[0]}\n`)
    if (err instanceof ConfigError || isGatewayError(err, 'bad_request')) return 2
    return 1
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))
if (isMain || process.env.CABINET_GATEWAY_CLI === '1') {
  // `… | head` closing the pipe ends the output, not the command with a trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
  })
  const code = await runCli(process.argv.slice(2))
  process.exit(code)
}
