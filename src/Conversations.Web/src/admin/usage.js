// Usage report arithmetic: the API answers rows per (day, user, model, kind); the charts need series by day, by user
// and by model, with every day of the range present (a day without turns is a zero, not a gap).

/** Days (yyyy-mm-dd, UTC) from `from` up to but not including `to`. */
export function daysBetween(from, to) {
  const days = [];
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (d < to) { days.push(d.toISOString().slice(0, 10)); d.setUTCDate(d.getUTCDate() + 1); }
  return days;
}

/** Sums `field` of `rows` per value of `key(row)`. */
export function sumBy(rows, key, field) {
  const m = new Map();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + Number(r[field] ?? 0));
  return m;
}

/** Series per day of `field`, one value per day of `days`. */
export function perDay(rows, days, field) {
  const m = sumBy(rows, r => r.day, field);
  return days.map(d => m.get(d) ?? 0);
}

/** The `n` keys with the largest `field` sums, largest first, the rest folded into `other`. */
export function top(rows, key, field, n, other) {
  const entries = [...sumBy(rows, key, field)].sort((a, b) => b[1] - a[1]);
  if (entries.length <= n) return entries;
  const rest = entries.slice(n - 1).reduce((s, e) => s + e[1], 0);
  return [...entries.slice(0, n - 1), [other, rest]];
}

/** Everything saved: the provider's prompt cache, the answer caches and canned replies, and routing to a cheaper model. */
export function savings(totals) {
  const cached = Number(totals?.cachedTokenSavingsUsd ?? 0);
  const caches = Number(totals?.cacheSavingsUsd ?? 0);
  const routing = Number(totals?.routingSavingsUsd ?? 0);
  return { cached, caches, routing, total: cached + caches + routing };
}

/** The report's range: the last `days` days up to now. */
export function lastDays(days) {
  const to = new Date();
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() - (days - 1)));
  return { from, to: new Date(to.getTime() + 1000) };
}
