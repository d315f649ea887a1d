// prints the mutation score per folder from StrykerJS's JSON report (run `npm run mutation` first)
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8'));
const folders = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = file.split('/').slice(0, 2).join('/');
  const f = folders.get(folder) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') f.killed++;
    else if (m.status === 'Timeout') f.timeout++;
    else if (m.status === 'Survived') f.survived++;
    else if (m.status === 'NoCoverage') f.noCoverage++;
    else f.other++;
  }
  folders.set(folder, f);
}
console.log('folder              score   killed timeout survived no-coverage');
for (const [folder, f] of [...folders].sort()) {
  const detected = f.killed + f.timeout;
  const valid = detected + f.survived + f.noCoverage;
  const score = valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(2)}%`;
  console.log(
    `${folder.padEnd(18)} ${score.padStart(7)} ${String(f.killed).padStart(8)} ${String(f.timeout).padStart(7)} ${String(f.survived).padStart(8)} ${String(f.noCoverage).padStart(11)}`,
  );
}
