// Build agents_ui/static/widget.js, the one classic script any site embeds, from the widget's
// ES modules (agents_ui/static/widget/ and the shared ones they import) with esbuild.
//
//   node agents_ui/web/build.mjs          write the bundle (npm run build)
//   node agents_ui/web/build.mjs --check  fail if the committed bundle is not what the
//                                         sources build to (npm run check:bundle; CI)
//
// The bundle is committed so the hub never needs Node at run time. Its banner names the
// sources and their SHA-256, which tests/agents_ui/test_widget_bundle.py checks without Node.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, version } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'agents_ui/static/widget/main.js';
const OUT = 'agents_ui/static/widget.js';

/** The SHA-256 over each input's path and bytes, in path order (as the Python check does). */
async function digest(paths) {
  const hash = createHash('sha256');
  for (const path of [...paths].sort()) {
    hash.update(path + '\n');
    hash.update(await readFile(ROOT + path));
    hash.update('\n');
  }
  return hash.digest('hex');
}

async function bundle() {
  const options = {
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    loader: { '.css': 'text' },
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    outfile: OUT,
  };
  // First pass: which files the bundle is made of, for the banner.
  const probe = await build({ ...options, metafile: true });
  const inputs = Object.keys(probe.metafile.inputs).sort();
  const banner = [
    '/* ContactHub chat widget. GENERATED: do not edit; edit agents_ui/static/widget/ and run',
    ` * \`npm run build\` (docs/frontend.md). Built by esbuild ${version} from:`,
    ...inputs.map((p) => ` *   ${p}`),
    ` * sources-sha256: ${await digest(inputs)}`,
    ' */',
  ].join('\n');
  const result = await build({ ...options, banner: { js: banner } });
  return result.outputFiles[0].text;
}

const text = await bundle();
if (process.argv.includes('--check')) {
  const committed = await readFile(ROOT + OUT, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error(`${OUT} is not what its sources build to: run \`npm run build\` and commit it.`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date with its sources.`);
} else {
  await writeFile(ROOT + OUT, text);
  console.log(`wrote ${OUT} (${text.length} bytes)`);
}
