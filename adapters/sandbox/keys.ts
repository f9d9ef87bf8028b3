import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Development keys for the sandbox processor, generated on first use into a
 * git-ignored folder beside this file. They protect nothing real: never point
 * a real processor at them.
 */
export const devKeysDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '.dev-keys')

export const devKeyFiles = {
  /** Ours: signs sale, status and reversal requests. */
  merchantKey: path.join(devKeysDir, 'merchant.key'),
  merchantPub: path.join(devKeysDir, 'merchant.pub'),
  /** The sandbox's: signs callbacks, like Azericard's MPI key. */
  gatewayKey: path.join(devKeysDir, 'gateway.key'),
  gatewayPub: path.join(devKeysDir, 'gateway.pub'),
} as const

function pair(privateFile: string, publicFile: string): void {
  if (existsSync(privateFile) && existsSync(publicFile)) return
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  writeFileSync(privateFile, privateKey, { mode: 0o600 })
  writeFileSync(publicFile, publicKey)
}

/** Creates both key pairs when missing; returns their paths. */
export function ensureDevKeys(): typeof devKeyFiles {
  mkdirSync(devKeysDir, { recursive: true, mode: 0o700 })
  pair(devKeyFiles.merchantKey, devKeyFiles.merchantPub)
  pair(devKeyFiles.gatewayKey, devKeyFiles.gatewayPub)
  return devKeyFiles
}
