/** One figure, printed the same way by every benchmark: value, unit, ratio against the target. */
export function report(name: string, value: number, unit: string, target: number, detail = '', lowerIsBetter = false): void {
  const ratio = lowerIsBetter ? target / value : value / target;
  const fmt = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
  console.log(`${name}: ${fmt} ${unit} (target ${lowerIsBetter ? '≤' : '≥'} ${target.toLocaleString('en-US')} ${unit}; ratio vs target: ${ratio.toFixed(2)}${ratio >= 1 ? ', met' : ', NOT met'})${detail ? ` — ${detail}` : ''}`);
}
