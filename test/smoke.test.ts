import { expect } from 'chai';
import { toError } from '../lib/errors.js';
describe('smoke', () => { it('toError', () => { expect(toError('x').message).to.equal('x'); }); });
