// Copy third-party browser code from node_modules (installed from the npm registry by
// `npm ci`, pinned in package-lock.json) into agents_ui/static/vendor/, where it is committed
// so the hub serves it without Node.
//
//   node agents_ui/web/vendor.mjs          write the copies (npm run vendor)
//   node agents_ui/web/vendor.mjs --check  fail if a committed copy differs (CI)
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// package -> the files the hub serves from it (with its licence).
const FILES = {
  'swagger-ui-dist': ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'],
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [pkg, names] of Object.entries(FILES)) {
  const { version } = JSON.parse(await readFile(`${ROOT}node_modules/${pkg}/package.json`, 'utf8'));
  for (const name of names) {
    const source = await readFile(`${ROOT}node_modules/${pkg}/${name}`);
    const target = `${ROOT}agents_ui/static/vendor/${pkg}/${name}`;
    if (check) {
      const committed = await readFile(target).catch(() => Buffer.alloc(0));
      if (!committed.equals(source)) {
        console.error(`${target} is not ${pkg}@${version}'s ${name}: run \`npm run vendor\`.`);
        stale += 1;
      }
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, source);
      console.log(`vendored ${pkg}@${version} ${name}`);
    }
  }
}
if (stale) process.exit(1);
if (check) console.log('vendored files match package-lock.json.');
