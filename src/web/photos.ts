import type { Config } from '../config.ts'
import type { Db } from '../db.ts'

/** A holder's photo from the population registry. */
export interface PhotoSource {
  /** The photo's bytes and type, or null when the registry has no usable photo. */
  photoFor(document: string): Promise<{ bytes: Buffer; type: string } | null>
}

// Magic numbers of the image types a browser may be sent; anything else is not served.
const signatures: Array<{ type: string; test: (b: Buffer) => boolean }> = [
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF'
    && b.subarray(8, 12).toString('latin1') === 'WEBP' },
]

export function imageType(bytes: Buffer): string | null {
  return signatures.find((s) => s.test(bytes))?.type ?? null
}

/** The local registry keeps photos in `people.photo`. */
export function localPhotos(db: Db): PhotoSource {
  return {
    async photoFor(document) {
      const row = await db('people').where({ document }).first('photo')
      const bytes = row?.photo as Buffer | null | undefined
      const type = bytes ? imageType(bytes) : null
      return bytes && type ? { bytes, type } : null
    },
  }
}

/**
 * The registry service's contract has no photo yet, so with REGISTRY_DRIVER=http
 * every holder gets the placeholder.
 */
export const noPhotos: PhotoSource = { photoFor: async () => null }

export function createPhotos(config: Pick<Config, 'registryDriver'>, db: Db): PhotoSource {
  return config.registryDriver === 'local' ? localPhotos(db) : noPhotos
}

/** A neutral silhouette shown when there is no photo. */
export const placeholderSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 75" \
role="img" aria-label="Foto yoxdur"><rect width="60" height="75" fill="#e4e8ee"/>\
<circle cx="30" cy="28" r="13" fill="#a9b4c2"/><path d="M6 75c2-17 12-25 24-25s22 8 24 25z" \
fill="#a9b4c2"/></svg>`
