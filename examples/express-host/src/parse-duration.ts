const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration as the design writes them: a positive whole number and one unit, `30s`, `5m`, `24h`, `7d`, in ms.
 * Anything else (no unit, a fraction, zero, a value setTimeout cannot hold) is refused naming the variable, so a
 * typo stops the start instead of silently keeping the default.
 */
export function parseDuration(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([1-9]\d*)([smhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`${name} must be a duration such as 30s, 5m, 24h or 7d, got ${JSON.stringify(text)}`);
  }
  return ms;
}
