/**
 * The charge API's OpenAPI 3.1 document, written by hand. It is served at
 * /api/v1/openapi.json and its component schemas are what requests are
 * validated against, so the document and the checks cannot drift apart.
 */
const amount = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]{0,8})(\\.[0-9]{1,2})?$',
  description: 'AZN as a decimal string with a dot and at most two decimals, above zero.',
  examples: ['10.45'],
}

const text = (max: number, description: string) =>
  ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S', description })

const externalId = (description: string) => ({
  type: 'string', minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description,
})

const errorCodes = [
  'validation', 'amount_format', 'amount_too_small', 'amount_too_large', 'account_format',
  'payer_not_found', 'cabinet_blocked', 'insufficient_funds', 'idempotency_conflict',
  'conflict', 'not_found', 'unauthorized', 'unavailable', 'internal',
]

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } })

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'Cabinet charge API',
    version: '1.0.0',
    description: 'Lets the centre\'s services debit a personal cabinet for a service and '
      + 'refund it. Every write is idempotent by the client and the client\'s own id: '
      + 'the same id with the same body answers the first result (201, then 200 with the '
      + 'same body); the same id with another body is 409 idempotency_conflict. A refused '
      + 'charge (402, 404, 423) is not remembered, so its id may be retried later. Amounts '
      + 'are AZN decimal strings such as "10.45".',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  paths: {
    '/charges': {
      post: {
        operationId: 'createCharge',
        summary: 'Debit a cabinet for a service',
        requestBody: { required: true, content: json('#/components/schemas/ChargeRequest') },
        responses: {
          201: { description: 'Charged.', content: json('#/components/schemas/Charge') },
          200: { description: 'A repeat of a charge made before: its first answer.',
            content: json('#/components/schemas/Charge') },
          400: errorResponse('The body does not follow ChargeRequest (validation, '
            + 'amount_format, amount_too_small).'),
          401: errorResponse('No or an unknown bearer token (unauthorized).'),
          402: errorResponse('The cabinet\'s balance is below the amount (insufficient_funds).'),
          404: errorResponse('No cabinet has this number or document (payer_not_found).'),
          409: errorResponse('The externalId was used with another body (idempotency_conflict).'),
          422: errorResponse('The cabinet reference is malformed, e.g. a wrong check digit '
            + '(account_format), or the amount is above the maximum (amount_too_large).'),
          423: errorResponse('The cabinet is blocked (cabinet_blocked).'),
        },
      },
    },
    '/charges/{id}': {
      get: {
        operationId: 'getCharge',
        summary: 'A charge with what is refunded of it so far',
        parameters: [{ $ref: '#/components/parameters/ChargeId' }],
        responses: {
          200: { description: 'The charge.', content: json('#/components/schemas/ChargeState') },
          401: errorResponse('unauthorized'),
          404: errorResponse('No charge of this client has this id (not_found).'),
        },
      },
    },
    '/charges/{id}/refunds': {
      post: {
        operationId: 'refundCharge',
        summary: 'Give back all or part of a charge',
        parameters: [{ $ref: '#/components/parameters/ChargeId' }],
        requestBody: { required: true, content: json('#/components/schemas/RefundRequest') },
        responses: {
          201: { description: 'Refunded.', content: json('#/components/schemas/Refund') },
          200: { description: 'A repeat of a refund made before: its first answer.',
            content: json('#/components/schemas/Refund') },
          400: errorResponse('The body does not follow RefundRequest.'),
          401: errorResponse('unauthorized'),
          404: errorResponse('No charge of this client has this id (not_found).'),
          409: errorResponse('The refundId was used with another body '
            + '(idempotency_conflict), or the charge is refunded in full (conflict).'),
          422: errorResponse('The amount is above what is left to refund (amount_too_large); '
            + 'error.details.refundable says how much is left.'),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer',
        description: 'One token per service client, from the providers file\'s clients.' },
    },
    parameters: {
      ChargeId: { name: 'id', in: 'path', required: true,
        schema: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
        description: 'The charge\'s id as the charge answer gave it.' },
    },
    schemas: {
      Amount: amount,
      ChargeRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['cabinet', 'amount', 'purpose', 'servedPerson', 'externalId'],
        properties: {
          cabinet: { type: 'string', minLength: 1, maxLength: 40,
            description: 'The payer: a cabinet number (with its check digit) or an identity '
              + 'document number such as AA0123456 or AZE12345678.' },
          amount: { $ref: '#/components/schemas/Amount' },
          purpose: text(200, 'What the service is, as the holder\'s history shows it.'),
          servedPerson: text(200, 'Full name of the person the service is for.'),
          externalId: externalId('The service\'s own id for this charge: the idempotency key.'),
        },
      },
      RefundRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['refundId'],
        properties: {
          refundId: externalId('The service\'s own id for this refund: the idempotency key.'),
          amount: { $ref: '#/components/schemas/Amount',
            description: 'Absent: everything of the charge not refunded yet.' },
          reason: text(200, 'Why, for the records.'),
        },
      },
      Charge: {
        type: 'object',
        required: ['id', 'externalId', 'cabinet', 'amount', 'purpose', 'servedPerson',
          'transactionId', 'createdAt'],
        properties: {
          id: { type: 'string' },
          externalId: { type: 'string' },
          cabinet: { type: 'string', description: 'The cabinet number that was debited.' },
          amount: { $ref: '#/components/schemas/Amount' },
          purpose: { type: 'string' },
          servedPerson: { type: 'string' },
          transactionId: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      ChargeState: {
        allOf: [{ $ref: '#/components/schemas/Charge' }, {
          type: 'object',
          required: ['refunded', 'refundable'],
          properties: { refunded: { type: 'string' }, refundable: { type: 'string' } },
        }],
      },
      Refund: {
        type: 'object',
        required: ['id', 'refundId', 'chargeId', 'amount', 'reason', 'transactionId',
          'createdAt', 'chargeRefunded', 'chargeRefundable'],
        properties: {
          id: { type: 'string' },
          refundId: { type: 'string' },
          chargeId: { type: 'string' },
          amount: { $ref: '#/components/schemas/Amount' },
          reason: { type: ['string', 'null'] },
          transactionId: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          chargeRefunded: { type: 'string' },
          chargeRefundable: { type: 'string' },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: errorCodes },
              message: { type: 'string' },
              details: { type: 'object' },
            },
          },
        },
      },
    },
  },
} as const
