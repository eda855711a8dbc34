/** The durations `task-graph prune --older-than` takes. */
import { expect } from 'chai';
import { parseDuration } from '../lib/cli/parseDuration.js';

describe('parseDuration (task-graph prune --older-than)', () => {
  it('reads a number and a unit', () => {
    expect(parseDuration('0s')).to.equal(0);
    expect(parseDuration('250ms')).to.equal(250);
    expect(parseDuration('90s')).to.equal(90_000);
    expect(parseDuration('15m')).to.equal(900_000);
    expect(parseDuration('1.5h')).to.equal(5_400_000);
    expect(parseDuration('30d')).to.equal(2_592_000_000);
    expect(parseDuration(' 2w ')).to.equal(1_209_600_000);
  });

  it('refuses anything else, a bare number included', () => {
    for (const text of ['30', '', 'd', '-1d', '1 day', '1e3s', '30D', '1h30m', 'Infinityd']) expect(parseDuration(text), text).to.equal(null);
  });
});
