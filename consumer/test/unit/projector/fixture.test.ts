import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseFixtureCategories } from '../../../src/projector/fixture.js'

test('fixture categories: a JSON array of [category, count, amount] triples, anything else refused with the text', () => {
  assert.deepEqual(parseFixtureCategories('[["books",7,9401],["食品",1,-20]]'), [['books', 7, 9401], ['食品', 1, -20]])
  assert.deepEqual(parseFixtureCategories('[]'), [])
  for (const bad of ['{}', '[["books",7]]', '[["books","7",1]]', '[[1,2,3]]', '[["x",1.5,1]]', 'null']) {
    assert.throws(() => parseFixtureCategories(bad), /fixture_categories is not a JSON array/, bad)
  }
  assert.throws(() => parseFixtureCategories('[["books",'), SyntaxError)
})
