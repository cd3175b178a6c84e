import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeenKeys } from '../../server/services/seen-keys';

describe('SeenKeys, the compact set a bulk import remembers its emails and usernames in', () => {
  it('answers exactly as a Set of the strings would, through every growth of its table', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 3000 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 200 }), (added, probes) => {
        const seen = new SeenKeys();
        const reference = new Set<string>();
        for (const key of added) {
          const isNew = !reference.has(key);
          reference.add(key);
          expect(seen.add(key)).toBe(isNew);
        }
        expect(seen.size).toBe(reference.size);
        for (const key of [...probes, ...added]) expect(seen.has(key)).toBe(reference.has(key));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps a million keys apart', () => {
    const seen = new SeenKeys();
    for (let i = 0; i < 1_000_000; i++) seen.add(`user${i}@example.com`);
    expect(seen.size).toBe(1_000_000);
    expect(seen.has('user999999@example.com')).toBe(true);
    expect(seen.has('user1000000@example.com')).toBe(false);
    expect(seen.add('user42@example.com')).toBe(false);
  });
});
