// The Damm quasigroup of order 10 (Damm 2004): a check digit built on it
// catches every single-digit error and every adjacent transposition.
const table: readonly (readonly number[])[] = [
  '0317598642', '7092154863', '4206871359', '1750983426', '6123045978',
  '3674209581', '5869720134', '8945362017', '9438617205', '2581436790',
].map((row) => [...row].map(Number))

/** Runs the Damm check over a string of ASCII digits; 0 means a valid number. */
export function dammInterim(digits: string): number {
  let interim = 0
  for (const ch of digits) {
    const d = ch.charCodeAt(0) - 48
    if (d < 0 || d > 9) throw new RangeError(`"${ch}" is not a digit`)
    interim = table[interim]![d]!
  }
  return interim
}
