// A small table: each case beside its baseline, with the ratio.
export interface Row {
  readonly name: string;
  /** The figure, in `unit`. */
  readonly value: number;
  readonly unit: string;
  /** The row this one is compared with (its value is the denominator). */
  readonly baseline?: string;
}

export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const base = row.baseline ? rows.find((r) => r.name === row.baseline) : undefined;
    const ratio = base ? `  ×${(row.value / base.value).toFixed(2)} vs ${base.name}` : '';
    console.log(`  ${row.name.padEnd(width)}  ${row.value.toFixed(row.value < 10 ? 2 : 1).padStart(10)} ${row.unit}${ratio}`);
  }
}
