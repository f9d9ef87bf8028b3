import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/** Paths that never reach a log line, whatever component logs them. */
export const redactPaths = [
  'password', '*.password', 'oldPassword', '*.oldPassword', 'newPassword', '*.newPassword',
  'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash',
  'fin', '*.fin', 'FIN', '*.FIN',
  'card', '*.card', 'CARD', '*.CARD', 'pan', '*.pan', 'card_mask', '*.card_mask',
  'cvv', '*.cvv', 'token', '*.token', 'TOKEN', '*.TOKEN',
  'signature', '*.signature', 'P_SIGN', '*.P_SIGN', 'sign', '*.sign',
  'key', '*.key', 'secret', '*.secret', 'privateKey', '*.privateKey',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'headers.cookie', 'req.headers.cookie', 'cookie', '*.cookie',
  'smsCode', '*.smsCode', 'code_hash', '*.code_hash',
]

// Postgres errors quote the offending row or JSON (`detail`, `where`), which can
// hold a person's name or document: the log keeps the code and the constraint.
const quoting = ['detail', 'where', 'internalQuery', 'hint', 'parameters', 'query']

function safeErr(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown
  if (!out || typeof out !== 'object') return out
  for (const key of quoting) {
    if (key in out) (out as Record<string, unknown>)[key] = '[redacted]'
  }
  return out
}

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function createLogger(level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    // A bad LOG_LEVEL is reported by loadConfig; a logger made before that
    // must not crash the process over it.
    level: levels.includes(level) ? level : 'info',
    base: { service: 'cabinet-gateway' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: safeErr },
  }
  return destination ? pino(options, destination) : pino(options)
}

/** The process-wide root logger; components take children of it. */
export const log: Logger = createLogger()
export type { Logger }
