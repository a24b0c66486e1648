/**
 * The per-copy values a seeded payment gets: a 20-character ULID-like head (10 characters of creation time, so
 * ids sort by creation like the service's ULIDs, then 10 of the copy's number, so every copy is unique), its owner,
 * its booking reference, and its times. Creation times are spread uniformly over the year before `now`, so every
 * size has a year of data, just denser.
 */
export interface SeedKey {
  n: number;
  template: number;
  tag: string;
  owner: string;
  ref: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  authExpiresAt: string;
  /** Its outbox events stay pending: the backlog the drain measurement delivers. */
  backlog: 0 | 1;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const encode = (value: number, length: number) => {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[value % 32]! + out;
    value = Math.floor(value / 32);
  }
  return out;
};

const YEAR = 365 * 86_400_000;
const DAY = 86_400_000;
export const OWNERS = 1000;

/** A deterministic generator (so two runs seed the same shape). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Keys for copies `from` … `to - 1`. `templates` weighs the kinds of payment (index → share); the first
 * `backlogPayments` copies of the batch are made in the last hour with their events still pending.
 */
export function seedKeys(from: number, to: number, now: number, templateShares: readonly number[], backlogPayments: number): SeedKey[] {
  const next = random(from + 17);
  const keys: SeedKey[] = [];
  for (let n = from; n < to; n++) {
    const backlog = n - from < backlogPayments ? 1 : 0;
    const created = backlog ? now - next() * 3_600_000 : now - next() * YEAR;
    // Most payments settle within seconds; a few change again later (a refund, a correction): reconcile's window.
    const updated = next() < 0.02 ? Math.min(now, created + next() * 7 * DAY) : created + 5_000;
    const pick = next();
    let template = 0;
    for (let acc = 0; template < templateShares.length - 1; template++) {
      acc += templateShares[template]!;
      if (pick < acc) break;
    }
    keys.push({
      n,
      template,
      tag: encode(Math.floor(created), 10) + encode(n, 10),
      owner: `owner_${n % OWNERS}`,
      ref: String(n),
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(Math.min(now, updated)).toISOString(),
      expiresAt: new Date(created + DAY).toISOString(),
      authExpiresAt: new Date(created + 7 * DAY).toISOString(),
      backlog,
    });
  }
  return keys;
}
