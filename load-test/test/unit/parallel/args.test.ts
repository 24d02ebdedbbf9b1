import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parsePlan, UsageError } from '../../../src/parallel/args.js'

test('the old command line: clients, events per minute per client, seconds (default 60)', () => {
  const plan = parsePlan(['15', '20000', '30'], {}, new Date('2026-01-02T03:04:05.678Z'))
  assert.deepEqual({ ...plan }, {
    clients: 15, processes: 1, connections: 32, eventsPerMinute: 20000, seconds: 30, batchSize: 1, url: 'http://127.0.0.1:3000',
    runId: '2026-01-02T03-04-05-678Z', maxOutstanding: 5000, drainTimeoutSeconds: 120,
  })
  assert.equal(parsePlan(['2', '60'], {}).seconds, 60)
  assert.ok(Object.isFrozen(plan))
})

test('options: batch size, url (or PRODUCER_URL), run id', () => {
  const plan = parsePlan(['2', '600', '5', '--batch', '50', '--run-id', 'nightly-1'], { PRODUCER_URL: 'http://10.0.0.1:3000/' })
  assert.equal(plan.batchSize, 50)
  assert.equal(plan.url, 'http://10.0.0.1:3000')
  assert.equal(plan.runId, 'nightly-1')
  assert.equal(parsePlan(['1', '1', '--url', 'http://h:1'], { PRODUCER_URL: 'http://x' }).url, 'http://h:1')
  assert.equal(parsePlan(['15', '600', '--processes', '3'], {}).processes, 3)
  assert.equal(parsePlan(['15', '600', '--connections', '64'], {}).connections, 64)
  assert.throws(() => parsePlan(['15', '600', '--processes', '0'], {}), /--processes must be a positive whole number/)
})

test('clear errors for missing or non-numeric arguments', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing clients/],
    [['15'], /missing events_per_min_per_client/],
    [['fifteen', '100'], /clients must be a positive whole number, got "fifteen"/],
    [['15', '1e3'], /events_per_min_per_client must be a positive whole number/],
    [['15', '100', '0'], /seconds must be a positive whole number/],
    [['15', '100', '-5'], /./],
    [['1', '2', '3', '4'], /too many arguments/],
    [['1', '2', '--batch', 'x'], /--batch must be/],
    [['1', '2', '--nope'], /Unknown option/],
    [['1', '2', '--run-id', 'a b'], /--run-id/],
    [['1', '2', '--url', 'localhost:3000'], /--url must be an http/],
  ]
  for (const [argv, message] of cases) {
    assert.throws(() => parsePlan(argv, {}), (err: unknown) => err instanceof UsageError && message.test(err.message), argv.join(' '))
  }
})
