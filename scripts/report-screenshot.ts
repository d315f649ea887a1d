// regenerates docs/report-demo.png, the README's picture of the demo run's report:
//   npm run build && npx tsx scripts/report-screenshot.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../src/cli/main.js';
import { openChromium } from '../test/helpers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'report-shot-'));
const lines: string[] = [];
const io = {
  out: (l: string) => lines.push(l),
  err: (l: string) => process.stderr.write(`${l}\n`),
  write: () => undefined,
  writeErr: () => undefined,
  stdin: process.stdin,
  stderrIsTty: false,
  cwd: process.cwd(),
};
const code = await main(['demo', '--out', dir], io);
if (code !== 0) throw new Error(`demo exited ${code}:\n${lines.join('\n')}`);
const browser = await openChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('.stage-bar[data-stage="policy_guard"][data-attempt="1"]');
  const out = join(process.cwd(), 'docs', 'report-demo.png');
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1400, height: 900 } });
  console.log(out);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
