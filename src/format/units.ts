// Sizes the way Docker prints them (go-units): `%.4g` of the value in its unit.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

function formatUnits(size: number, base: number, units: readonly string[], precision = 4): string {
  let value = size;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  return `${Number(value.toPrecision(precision))}${units[unit]}`;
}

/** units.BytesSize: binary units (`23.47GiB`), as `docker info` shows memory. */
export function bytesSize(size: number): string {
  return formatUnits(size, 1024, BINARY_UNITS);
}

/** units.HumanSizeWithPrecision: decimal units (`4.26MB`); Docker lists images with precision 3. */
export function humanSize(size: number, precision = 4): string {
  return formatUnits(size, 1000, DECIMAL_UNITS, precision);
}

/** Go's time.Time String(), as Docker's `CreatedAt` fields print: `2024-09-26 21:31:42 +0000 UTC`. */
export function goTimeString(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000 UTC`;
}

/** units.HumanDuration: how `docker ps`/`images` say how long ago (`2 months`, `About an hour`). */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(milliseconds / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(milliseconds / 3_600_000 / 24 / 365)} years`;
}
