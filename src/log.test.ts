import { Writable } from 'node:stream'
import test from 'ava'
import { createLogger } from './log.ts'

test('a database error in a log line keeps its code but not the row it quotes', (t) => {
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _enc, done) {
    lines.push(String(chunk))
    done()
  } })
  const log = createLogger('info', sink)
  const err = Object.assign(new Error('invalid input syntax for type json'), {
    code: '22P02', detail: 'Key (document)=(AA0123456) already exists.',
    where: 'JSON data, line 1: {"servedPerson":"HƏMİDOV VÜSAL"}' })
  log.error({ err, fin: '5ZX9K2L', password: 'Parol2026' }, 'failed')
  const line = lines.join('')
  t.regex(line, /22P02/)
  t.notRegex(line, /AA0123456|HƏMİDOV|5ZX9K2L|Parol2026/)
})

test('an unknown LOG_LEVEL does not crash the logger, nor does a thrown string', (t) => {
  t.notThrows(() => createLogger('loud', new Writable({ write: (_c, _e, done) => done() }))
    .error({ err: 'just a string' }, 'odd'))
})
