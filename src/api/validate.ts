import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { GatewayError } from '../errors.ts'
import { openapi } from './openapi.ts'

const documentId = 'https://cabinet-gateway.invalid/api/v1/openapi.json'

const ajv = new Ajv2020({ allErrors: false, strict: true })
addFormats.default(ajv)
// The document's components hold the schemas; the keyword only carries them.
ajv.addKeyword({ keyword: 'components' })
ajv.addSchema({ $id: documentId, components: { schemas: openapi.components.schemas } })

export type SchemaName = keyof typeof openapi.components.schemas

const compiled = new Map<SchemaName, ValidateFunction>()

function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name)
  if (!v) {
    v = ajv.getSchema(`${documentId}#/components/schemas/${name}`)
    if (!v) throw new Error(`openapi document has no schema ${name}`)
    compiled.set(name, v)
  }
  return v
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'body'
  if (e.keyword === 'additionalProperties') {
    return `${where} has an unknown field "${String(e.params.additionalProperty)}"`
  }
  if (e.keyword === 'required') {
    return `${where} lacks the field "${String(e.params.missingProperty)}"`
  }
  if (where === 'amount' && e.keyword !== 'type') {
    return 'amount must be a decimal string like "10.45"'
  }
  if (e.keyword === 'pattern' && e.params.pattern === '\\S') return `${where} must not be blank`
  return `${where} ${e.message ?? 'is invalid'}`
}

/**
 * Checks a request body against a schema of the OpenAPI document and returns
 * it typed; throws 'amount_format' for a malformed amount, else 'bad_request'
 * naming the first problem.
 */
export function validateBody<T>(name: SchemaName, body: unknown): T {
  const v = validator(name)
  if (v(body)) {
    checkText(body)
    return body as T
  }
  const first = (v.errors ?? [])[0]
  if (!first) throw new GatewayError('bad_request', 'request body is invalid')
  const code = first.instancePath === '/amount' ? 'amount_format' : 'bad_request'
  throw new GatewayError(code, describe(first))
}

// Text a person will read (purpose, served person) must be text: no control
// characters, no unpaired surrogates, not only invisible format characters.
const control = /\p{Cc}/u
const unpaired = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const invisible = /[\p{Cf}\s]/gu

function checkText(body: unknown, path = ''): void {
  if (typeof body === 'string') {
    if (unpaired.test(body) || control.test(body)) {
      throw new GatewayError('bad_request',
        `${path || 'body'} contains control characters or unpaired surrogates`)
    }
    if (body !== '' && body.replace(invisible, '') === '') {
      throw new GatewayError('bad_request', `${path || 'body'} must not be blank`)
    }
    return
  }
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) checkText(v, path ? `${path}.${k}` : k)
  }
}
