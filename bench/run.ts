// `npm run bench [NAME…]`: runs each benchmark in bench/ (or the named ones) in its own process,
// one after the other, so that they never compete for the two cores.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(folder)
  .filter((file) => file.endsWith('.ts') && !file.startsWith('_') && file !== 'run.ts')
  .map((file) => file.replace(/\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name));

if (benches.length === 0) {
  console.error(`no benchmark named ${wanted.join(', ')}; there are: ${readdirSync(folder).filter((f) => !f.startsWith('_') && f !== 'run.ts').join(', ')}`);
  process.exitCode = 2;
}
for (const name of benches) {
  console.log(`\n## bench/${name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(folder, `${name}.ts`)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
