/**
 * `describeValue` renders the offending value of every error message: it must show what JSON
 * hides (NaN, Infinity, undefined, symbols, BigInts, functions, cycles), also inside objects.
 */
import { expect } from 'chai';
import { describeValue, describeValues } from '../lib/describeValue.js';

describe('describeValue', () => {
  const cases: [string, unknown, string][] = [
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
    ['-0', -0, '-0'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a symbol', Symbol('key'), 'Symbol(key)'],
    ['a BigInt', 12n, '12n'],
    ['a string', 'four', '"four"'],
    ['a function', () => 1, 'a function'],
    ['a number inside an object', { timeoutMs: Number.NaN, retries: [1, Number.POSITIVE_INFINITY] }, '{"timeoutMs":NaN,"retries":[1,Infinity]}'],
    ['undefined inside an array and an object', [undefined, { a: undefined }], '[undefined,{"a":undefined}]'],
    ['a nested symbol, BigInt and function', { s: Symbol('s'), n: 1n, fn: function run() {} }, '{"s":Symbol(s),"n":1n,"fn":[function run]}'],
    ['a date', new Date('2025-01-02T03:04:05.000Z'), 'Date(2025-01-02T03:04:05.000Z)'],
    ['an invalid date', new Date(Number.NaN), 'Invalid Date'],
    ['a map and a set', { m: new Map([['k', Number.NaN]]), s: new Set([1]) }, '{"m":Map(1) {"k" => NaN},"s":Set(1) {1}}'],
    ['an error', new TypeError('bad'), 'TypeError("bad")'],
    ['a class instance', new AbortController(), 'AbortController {}'],
    ['an object without prototype', Object.assign(Object.create(null) as object, { a: 1 }), '{"a":1}'],
    ['deep nesting', { a: { b: { c: { d: 1 } } } }, '{"a":{"b":{"c":{…}}}}'],
  ];
  for (const [label, value, expected] of cases) {
    it(`renders ${label} as ${expected}`, () => expect(describeValue(value)).to.equal(expected));
  }

  it('marks a cycle instead of failing', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular['self'] = circular;
    expect(describeValue(circular)).to.equal('{"name":"loop","self":[circular]}');
  });

  it('renders a value seen twice (not a cycle) twice', () => {
    const shared = { x: 1 };
    expect(describeValue([shared, shared])).to.equal('[{"x":1},{"x":1}]');
  });

  it('shows the first ten entries of a long array and cuts a long rendering at 200 characters', () => {
    expect(describeValue(Array.from({ length: 12 }, (_, i) => i))).to.equal('[0,1,2,3,4,5,6,7,8,9,…]');
    const long = describeValue({ text: 'x'.repeat(500) });
    expect(long).to.have.length(201);
    expect(long.endsWith('…')).to.equal(true);
  });
});

describe('describeValues', () => {
  it('renders every value of a short list, and says none for an empty one', () => {
    expect(describeValues(['a', 'b\nc', Number.NaN])).to.equal('"a", "b\\nc", NaN');
    expect(describeValues([])).to.equal('none');
  });

  it('shows the first ten and counts the others', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `t${i}`);
    expect(describeValues(ids)).to.equal('"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9" and 15 more');
    expect(describeValues(ids, 2)).to.equal('"t0", "t1" and 23 more');
  });
});
