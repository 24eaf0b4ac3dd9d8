// Seeded randomness for tests that choose at random (the kill moments of the crash tests): each run logs its seed,
// and PAGESCOPE_TEST_SEED=<seed> replays the same choices.
import type { TestContext } from 'node:test';

export const SEED_VARIABLE = 'PAGESCOPE_TEST_SEED';

/**
 * A generator of numbers in [0, 1) from a 32-bit seed: the same seed gives the same sequence (a Weyl sequence mixed
 * by two multiply-xorshift rounds; plenty for choosing delays and batch sizes, not for anything secret).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return ((x ^ (x >>> 16)) >>> 0) / 0x1_0000_0000;
  };
}

/** This run's seed: PAGESCOPE_TEST_SEED when set (a replay), else a new one. */
export function testSeed(): number {
  const given = process.env[SEED_VARIABLE];
  if (given === undefined || given === '') return Math.floor(Math.random() * 0x1_0000_0000);
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 0x1_0000_0000) {
    throw new Error(`${SEED_VARIABLE} must be an integer from 0 to 4294967295 (a seed a test printed), not "${given}"`);
  }
  return seed;
}

/** The seed and generator of one test, the seed written in the test's output so that a failure can be replayed. */
export function randomFor(t: TestContext): { seed: number; random: () => number } {
  const seed = testSeed();
  t.diagnostic(`random seed ${seed} (replay: ${SEED_VARIABLE}=${seed})`);
  return { seed, random: seededRandom(seed) };
}
