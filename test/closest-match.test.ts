/**
 * The "Did you mean …?" of unknown options: which known word a mistyped one is taken for.
 */
import { expect } from 'chai';
import { closestMatch, editDistance } from '../lib/closestMatch.js';

describe('closestMatch', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('concurency', 'concurrency')).to.equal(1);
    expect(editDistance('concurrrency', 'concurrency')).to.equal(1);
    expect(editDistance('concurrencx', 'concurrency')).to.equal(1);
    expect(editDistance('cnocurrency', 'concurrency')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('same', 'same')).to.equal(0);
  });

  const known = ['storage', 'concurrency', 'failurePolicy', 'retry', 'logLevel', 'storeLogLevel', 'timeoutMs'];
  for (const [word, expected] of [
    ['concurency', 'concurrency'],
    ['Concurrency', 'concurrency'],
    ['loglevel', 'logLevel'],
    ['storeLoglevel', 'storeLogLevel'],
    ['timeout', 'timeoutMs'],
    ['retyr', 'retry'],
    ['storag', 'storage'],
    ['retries', 'retry'],
  ] as const) {
    it(`takes ${word} for ${expected}`, () => expect(closestMatch(word, known)).to.equal(expected));
  }

  for (const word of ['foo', 'color', 'x', 'priority', 'delay', 'concurrencyLimitPerExecution']) {
    it(`suggests nothing for ${word}`, () => expect(closestMatch(word, known)).to.equal(undefined));
  }

  it('prefers the closest candidate, then the first of equally close ones', () => {
    expect(closestMatch('logLevels', ['storeLogLevel', 'logLevel'])).to.equal('logLevel');
    expect(closestMatch('ab', ['ac', 'ad'])).to.equal('ac');
  });
});
