#!/usr/bin/env -S node --max-old-space-size=128
// Runs the TypeScript command line through tsx, so the package bin works
// without a build step. The heap cap keeps long streamed runs (a registry of
// a million lines) in bounded memory: the collector works instead of growing.
import { register } from 'tsx/esm/api'

register()
process.env.CABINET_GATEWAY_CLI = '1'
await import('../src/cli/index.ts')
