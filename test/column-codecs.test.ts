import { expect } from 'chai';
import { fromDate, fromNullableDate } from '../lib/store/sequelize/columnCodecs.js';

describe('column codecs: dates read back from text', () => {
  it('reads the text this store writes on SQLite to the millisecond', () => {
    for (const iso of ['2026-11-28T08:56:07.851Z', '1999-12-31T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '1970-01-01T00:00:00.001Z']) {
      const written = `${iso.slice(0, 10)} ${iso.slice(11, 23)} +00:00`;
      expect(fromDate(written).toISOString(), written).to.equal(iso);
    }
  });

  it('reads the other shapes a database or an older writer may hold', () => {
    const cases: Record<string, string> = {
      '2024-05-01 12:00:00.123 +02:00': '2024-05-01T10:00:00.123Z',
      '2024-05-01 12:00:00.123-05:30': '2024-05-01T17:30:00.123Z',
      '2024-05-01 12:00:00 +00:00': '2024-05-01T12:00:00.000Z',
      '2024-05-01T12:00:00.5Z': '2024-05-01T12:00:00.500Z',
      '2024-05-01 12:00:00.123456': '2024-05-01T12:00:00.123Z',
    };
    for (const [text, iso] of Object.entries(cases)) expect(fromDate(text).toISOString(), text).to.equal(iso);
  });

  it('does not take text of the written length with a letter in a digit place as a date by its digits', () => {
    expect(() => fromDate('2024-05-0x 12:00:00.123 +00:00')).to.throw(TypeError, /Unreadable date column value "2024-05-0x/);
  });

  it('keeps NULL as null and numbers and Dates as they are', () => {
    expect(fromNullableDate(null)).to.equal(null);
    expect(fromNullableDate(0)!.toISOString()).to.equal('1970-01-01T00:00:00.000Z');
    const date = new Date();
    expect(fromNullableDate(date)).to.equal(date);
  });
});
