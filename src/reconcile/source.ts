import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { unreadable } from './fields.ts'

/**
 * The registry file's bytes, read once: hashed on the way (so a re-sent file
 * is recognised) and counted for the progress bar.
 */
export interface RegistrySource {
  bytes: AsyncIterable<Buffer>
  size: number
  /** Available once `bytes` has been read to the end. */
  sha256(): string
  readBytes(): number
}

export async function openRegistry(
  file: string,
  onProgress: (bytesRead: number) => void = () => {},
): Promise<RegistrySource> {
  let size: number
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new Error('not a regular file')
    size = s.size
  } catch (err) {
    throw unreadable(`${file}: ${(err as Error).message}`)
  }
  const hash = createHash('sha256')
  let read = 0
  let digest: string | undefined
  async function* bytes(): AsyncGenerator<Buffer> {
    const stream = createReadStream(file, { highWaterMark: 64 * 1024 })
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk)
        read += chunk.length
        onProgress(read)
        yield chunk
      }
    } catch (err) {
      throw unreadable(`${file}: ${(err as Error).message}`)
    }
    digest = hash.digest('hex')
  }
  return {
    bytes: bytes(),
    size,
    sha256: () => {
      if (!digest) throw new Error('registry file has not been read to the end')
      return digest
    },
    readBytes: () => read,
  }
}

/** Splits bytes into lines (LF or CRLF) without decoding, numbering them from 1. */
export async function* byteLines(
  bytes: AsyncIterable<Buffer>,
): AsyncGenerator<Array<{ line: number; data: Buffer }>> {
  let rest: Buffer | undefined
  let line = 0
  for await (const chunk of bytes) {
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk
    const out: Array<{ line: number; data: Buffer }> = []
    let start = 0
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl
      out.push({ line: ++line, data: buf.subarray(start, end) })
      start = nl + 1
    }
    rest = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined
    if (out.length) yield out
  }
  if (rest && rest.length) {
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length
    yield [{ line: ++line, data: rest.subarray(0, end) }]
  }
}

/** Decodes bytes to text in the profile's encoding; a bad byte makes the file unreadable. */
export async function* decodedText(
  bytes: AsyncIterable<Buffer>,
  encoding: string,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true })
  try {
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk, { stream: true })
      if (text) yield text
    }
    const tail = decoder.decode()
    if (tail) yield tail
  } catch (err) {
    if (err instanceof TypeError) throw unreadable(`not valid ${encoding} text`)
    throw err
  }
}
