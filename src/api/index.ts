export { apiRouter } from './router.ts'
export type { ApiDeps } from './router.ts'
export { openapi } from './openapi.ts'
