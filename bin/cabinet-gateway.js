#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so the package bin works
// without a build step.
import { register } from 'tsx/esm/api'

register()
process.env.CABINET_GATEWAY_CLI = '1'
await import('../src/cli/index.ts')
