/** Short human forms of the numbers progress lines show. Formatters are built once, not per call. */

const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compactNumber = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** "45 s", "12 min", "4.1 h", "2.3 d". */
export function formatDuration(seconds: number): string {
  const value = Math.max(0, seconds);
  if (value < 60) return `${Math.round(value)} s`;
  if (value < 3600) return `${Math.round(value / 60)} min`;
  if (value < 48 * 3600) return `${oneDecimal.format(value / 3600)} h`;
  return `${oneDecimal.format(value / 86_400)} d`;
}

/** "850 ms", "1.9 s". */
export function formatLatency(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${oneDecimal.format(milliseconds / 1000)} s`;
}

/** "980", "12.3K", "4.1M". */
export function formatCompact(value: number): string {
  return compactNumber.format(value);
}

export function formatInteger(value: number): string {
  return wholeNumber.format(value);
}

export function formatPercent(value: number): string {
  return `${oneDecimal.format(value)}%`;
}

/** "$3.21"; four decimals below a cent so tiny dry-run costs do not read as zero. */
export function formatMoney(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}

/** "850" for rates of at least 10 per hour, "3.4" below, so slow test runs do not show 0. */
export function formatRate(perHour: number): string {
  return perHour >= 10 ? wholeNumber.format(perHour) : oneDecimal.format(perHour);
}

/** "1 error", "1,204 errors": the count with thousands separators and the noun in the right number. */
export function formatCount(value: number, singular: string, plural = `${singular}s`): string {
  return `${wholeNumber.format(value)} ${value === 1 ? singular : plural}`;
}
