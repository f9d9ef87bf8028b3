import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { ConfigError } from '../config.ts'

/**
 * Key material from the providers file: PEM text (usually through "env:NAME")
 * or a path to a file, relative to the working directory. Missing or empty is
 * a configuration error, so a processor never runs without its key.
 */
export function readKeyText(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError('no key configured')
  }
  if (value.includes('-----BEGIN')) return value
  const file = path.resolve(value)
  if (!existsSync(file)) throw new ConfigError(`key file ${value} does not exist`)
  const text = readFileSync(file, 'utf8')
  if (text.trim() === '') throw new ConfigError(`key file ${value} is empty`)
  return text
}

export function readPrivateKey(value: unknown): KeyObject {
  const pem = readKeyText(value)
  try {
    return createPrivateKey(pem)
  } catch {
    throw new ConfigError('not a readable private key')
  }
}

export function readPublicKey(value: unknown): KeyObject {
  const pem = readKeyText(value)
  try {
    return createPublicKey(pem)
  } catch {
    throw new ConfigError('not a readable public key or certificate')
  }
}

/** A shared secret given inline or in a file; surrounding whitespace is not part of it. */
export function readSecret(value: unknown, inline: RegExp): string {
  if (typeof value === 'string' && inline.test(value) && !existsSync(path.resolve(value))) {
    return value
  }
  return readKeyText(value).trim()
}

/**
 * Runs a key loader inside a zod transform: a ConfigError becomes an issue on
 * `field`, so `configureProviders` names the provider and the field.
 */
export function loadKey<T>(zctx: z.RefinementCtx, field: string, load: () => T): T | undefined {
  try {
    return load()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    zctx.addIssue({ code: 'custom', path: [field], message: err.message })
    return undefined
  }
}
