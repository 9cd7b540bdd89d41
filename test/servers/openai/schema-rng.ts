// The seeded randomness behind generated answers: a small PRNG, a seed from request facts, and
// the words, colours and moods it picks from.

export const WORDS = [
  'landscape',
  'portrait',
  'sunset',
  'mountain',
  'river',
  'city',
  'street',
  'forest',
  'beach',
  'dog',
  'cat',
  'family',
  'architecture',
  'night',
  'snow',
  'flowers',
  'food',
  'car',
  'bridge',
  'sky',
  'clouds',
  'lake',
  'market',
  'garden',
  'window',
  'reflection',
  'bicycle',
  'harbor',
  'desert',
  'field',
];
export const COLORS = ['blue', 'green', 'amber', 'grey', 'red', 'white', 'black', 'teal', 'ochre', 'violet'];
export const MOODS = ['calm', 'cheerful', 'moody', 'serene', 'dramatic', 'nostalgic'];

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    // xorshift32: tiny and good enough for picking words.
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)]!;
  }
}

export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
  }
  return h >>> 0;
}

export const pad2 = (n: number): string => String(n).padStart(2, '0');
export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
export function uuidFrom(rng: Rng): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}
