/**
 * `displayWidth`: how many terminal columns a string takes, to align table columns.
 *
 * Counted per grapheme (what the user sees as one character: a letter and its accents, an emoji
 * with its modifiers): 2 for East Asian wide and fullwidth characters and for emoji shown as
 * emoji, 0 for a lone combining mark or a zero-width character, 1 for anything else. Close to
 * what terminals do (wcwidth), without a table of every code point.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * @example
 * displayWidth('abc');    // 3
 * displayWidth('任务一'); // 6
 * displayWidth('🐬');     // 2
 * displayWidth('é');      // 1 (e and a combining accent)
 */
export function displayWidth(text: string): number {
  let columns = 0;
  for (const { segment } of graphemes.segment(text)) columns += graphemeWidth(segment);
  return columns;
}

function graphemeWidth(grapheme: string): number {
  if (/^[\p{M}\u200b-\u200f\u2060\ufeff]+$/u.test(grapheme)) return 0;
  if (/\p{Emoji_Presentation}|\ufe0f/u.test(grapheme)) return 2;
  return isWide(grapheme.codePointAt(0) ?? 0) ? 2 : 1;
}

/** East Asian Wide and Fullwidth blocks (Unicode UAX #11): Hangul, CJK, kana, fullwidth forms. */
function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}
