import assert from 'node:assert/strict'
import { test } from 'node:test'
import { UsageError, parseReadArgs } from '../../../src/read/args.js'

test('no options: the cache scenarios with their old defaults', () => {
  assert.deepEqual(parseReadArgs([]), { mode: 'cache', users: 2000, connections: 50, seconds: 10 })
  assert.deepEqual(parseReadArgs(['--users', '5000', '--connections', '100', '--seconds', '20']), { mode: 'cache', users: 5000, connections: 100, seconds: 20 })
})

test('an old scenario: defaults, and every option', () => {
  assert.deepEqual(parseReadArgs(['--scenario', 'realistic']), { mode: 'scenarios', scenarios: ['realistic'], users: 10_000_000, firstUser: 1, warmupSeconds: 0, legacy: false })
  assert.deepEqual(parseReadArgs([
    '--scenario', 'stress', '--users', '50', '--first-user', '5000000001', '--duration', '2.5', '--vus', '3', '--rate', '400',
    '--zipf-s', '1.2', '--warmup', '0.5', '--seed', '0', '--legacy', '--connections', '8',
  ]), {
    mode: 'scenarios', scenarios: ['stress'], users: 50, firstUser: 5_000_000_001, durationSeconds: 2.5, vus: 3, rate: 400,
    zipfS: 1.2, warmupSeconds: 0.5, seed: 0, legacy: true, connections: 8,
  })
  const scenarios = (args: string[]) => {
    const plan = parseReadArgs(args)
    return plan.mode === 'scenarios' ? plan.scenarios : []
  }
  assert.deepEqual(scenarios(['--scenario', 'baseline,high']), ['baseline', 'high'])
  assert.deepEqual(scenarios(['--scenario', 'all']), ['baseline', 'normal', 'high', 'stress', 'realistic'])
})

test('wrong command lines are usage errors that say what is wrong', () => {
  const wrong = (args: string[], message: RegExp) => assert.throws(() => parseReadArgs(args), (err: unknown) => err instanceof UsageError && message.test(err.message))
  wrong(['--scenario', 'soak'], /unknown scenario "soak"/)
  wrong(['--scenario', 'normal', '--vus', '0'], /--vus must be a positive whole number, got "0"/)
  wrong(['--scenario', 'normal', '--duration', 'ten'], /--duration must be a number > 0/)
  wrong(['--scenario', 'normal', '--seconds', '5'], /use --duration/)
  wrong(['--rate', '100'], /only for the old read scenarios/)
  wrong(['--bogus'], /Unknown option/)
})
