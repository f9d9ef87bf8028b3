import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ConfigError } from '../config.ts'

/**
 * Key material from the providers file: PEM text (usually through "env:NAME")
 * or a path to a file, relative to the working directory. Missing or empty is
 * a configuration error, so a processor never runs without its key.
 */
export function readKeyText(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${where}: no key configured`)
  }
  if (value.includes('-----BEGIN')) return value
  const file = path.resolve(value)
  if (!existsSync(file)) throw new ConfigError(`${where}: key file ${value} does not exist`)
  const text = readFileSync(file, 'utf8')
  if (text.trim() === '') throw new ConfigError(`${where}: key file ${value} is empty`)
  return text
}

export function readPrivateKey(value: unknown, where: string): KeyObject {
  const pem = readKeyText(value, where)
  try {
    return createPrivateKey(pem)
  } catch {
    throw new ConfigError(`${where}: not a readable private key`)
  }
}

export function readPublicKey(value: unknown, where: string): KeyObject {
  const pem = readKeyText(value, where)
  try {
    return createPublicKey(pem)
  } catch {
    throw new ConfigError(`${where}: not a readable public key or certificate`)
  }
}

/** A shared secret given inline or in a file; surrounding whitespace is not part of it. */
export function readSecret(value: unknown, where: string, inline: RegExp): string {
  if (typeof value === 'string' && inline.test(value) && !existsSync(path.resolve(value))) {
    return value
  }
  return readKeyText(value, where).trim()
}
