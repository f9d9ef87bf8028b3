import { generateKeyPairSync } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Development keys for the sandbox processor, generated on first use into a
 * git-ignored folder beside this file. They protect nothing real: never point
 * a real processor at them. Each file holds a private key; its public half is
 * derived from it, so a pair can never come apart.
 */
export const devKeysDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '.dev-keys')

export const devKeyFiles = {
  /** Ours: signs sale, status and reversal requests. */
  merchantKey: path.join(devKeysDir, 'merchant.key'),
  /** The sandbox's: signs callbacks, like Azericard's MPI key. */
  gatewayKey: path.join(devKeysDir, 'gateway.key'),
} as const

function create(file: string): void {
  if (existsSync(file)) return
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, privateKey, { mode: 0o600 })
  try {
    // A link fails if another process got there first; then its key stands.
    linkSync(tmp, file)
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err
  } finally {
    unlinkSync(tmp)
  }
}

/** Creates both keys when missing; returns their paths. */
export function ensureDevKeys(): typeof devKeyFiles {
  mkdirSync(devKeysDir, { recursive: true, mode: 0o700 })
  create(devKeyFiles.merchantKey)
  create(devKeyFiles.gatewayKey)
  return devKeyFiles
}
