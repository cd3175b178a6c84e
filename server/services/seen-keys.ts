import crypto from 'node:crypto';

/**
 * A set of strings that costs 8 bytes a member, whatever their length: each key is kept as a
 * 64-bit fingerprint (the head of its SHA-1) in an open-addressed table of typed arrays. A bulk
 * import remembers every email and username of a million-row file with it (16 MB) where a Set
 * of the strings took hundreds. Two different keys share a fingerprint with odds of about
 * n² / 2⁶⁵: one in forty million for a file of a million rows.
 */
export class SeenKeys {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    const [h, l] = fingerprint(key);
    return this.occupied(this.slotOf(h, l));
  }

  /** Adds `key`; answers false when it was there already. */
  add(key: string): boolean {
    const [h, l] = fingerprint(key);
    const slot = this.slotOf(h, l);
    if (this.occupied(slot)) return false;
    this.hi[slot] = h;
    this.lo[slot] = l;
    if (++this.count * 2 > this.hi.length) this.grow();
    return true;
  }

  /** The slot holding (h, l), or the empty slot where it would go (linear probing). */
  private slotOf(h: number, l: number): number {
    const mask = this.hi.length - 1;
    let slot = (l ^ h) & mask;
    while (this.occupied(slot) && (this.hi[slot] !== h || this.lo[slot] !== l)) slot = (slot + 1) & mask;
    return slot;
  }

  private occupied(slot: number): boolean {
    return this.hi[slot] !== 0 || this.lo[slot] !== 0;
  }

  private grow() {
    const [hi, lo] = [this.hi, this.lo];
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0 && lo[i] === 0) continue;
      const slot = this.slotOf(hi[i], lo[i]);
      this.hi[slot] = hi[i];
      this.lo[slot] = lo[i];
    }
  }
}

/** 64 bits of SHA-1, never (0, 0): that pair marks an empty slot. */
function fingerprint(key: string): [number, number] {
  const digest = crypto.createHash('sha1').update(key).digest();
  const h = digest.readUInt32BE(0);
  const l = digest.readUInt32BE(4);
  return h === 0 && l === 0 ? [0, 1] : [h, l];
}
