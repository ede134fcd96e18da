// Sizes the way Docker prints them (go-units): `%.4g` of the value in its unit.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

function formatUnits(size: number, base: number, units: readonly string[]): string {
  let value = size;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  return `${Number(value.toPrecision(4))}${units[unit]}`;
}

/** units.BytesSize: binary units (`23.47GiB`), as `docker info` shows memory. */
export function bytesSize(size: number): string {
  return formatUnits(size, 1024, BINARY_UNITS);
}

/** units.HumanSize: decimal units (`1.23MB`), as `docker images` shows sizes. */
export function humanSize(size: number): string {
  return formatUnits(size, 1000, DECIMAL_UNITS);
}
