// Seeded randomness for paper generation. A paper must be reproducible from its stored seed years
// later (the audit of any paper regenerates it), so generation never touches Math.random and the
// generator is defined here, not borrowed from a library whose algorithm could change under us.
import { createHash, randomBytes } from 'node:crypto';

export interface Rng {
  /** A uniform unsigned 32-bit integer. */
  next(): number;
  /** A uniform integer in [0, n), n ≤ 2^32, without modulo bias. */
  below(n: number): number;
}

/** 128 random bits, hex: the per-candidate seed stored with the paper. */
export function newSeed(): string {
  return randomBytes(16).toString('hex');
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): passes PractRand to terabytes, has a
 * counter so no seed falls into a short cycle, and is four 32-bit adds and shifts per draw. The state
 * comes from sha256(seed), so any seed string — hex, a ticket number — spreads over all 128 bits.
 */
export function seededRng(seed: string): Rng {
  const h = createHash('sha256').update(seed, 'utf8').digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The reference implementation discards the first outputs so that similar states diverge.
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    below(n: number): number {
      if (!(n >= 1) || n > 0x1_0000_0000) throw new RangeError(`below(${n}): n must be 1 … 2^32`);
      // Rejecting the top sliver of the 2^32 range makes every result exactly equally likely; for
      // n ≤ 50,000 a retry happens less than once in 80,000 draws.
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
      let x = next();
      while (x >= limit) x = next();
      return x % n;
    },
  };
}

/** Fisher–Yates, in place. */
export function shuffleInPlace<T>(arr: T[], rng: Rng): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const tmp = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = tmp;
  }
  return arr;
}
