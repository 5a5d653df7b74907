// Builds every web app into the folder the API host serves. Each folder src/<app>/ with a main.jsx (or main.tsx) is
// one app: its bundle, styles and index.html go to <out>/<app>/, and it is served at /<app>/. The chat is the product's
// front page, so its index.html is also written to <out>/index.html (served at /). public/ is copied to <out>/ as is
// (manifest, icons). Everything a page needs is in <out>: nothing is loaded from a CDN.
//   node build.mjs                  # into ../Conversations.Api/wwwroot
//   node build.mjs --out DIR        # elsewhere (the container build)
//   node build.mjs --watch          # rebuild on change while developing
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const out = resolve(outArg >= 0 ? args[outArg + 1] : join(here, '..', 'Conversations.Api', 'wwwroot'));
const watch = args.includes('--watch');
const rootApp = 'chat';

const apps = readdirSync(join(here, 'src'), { withFileTypes: true })
  .filter(d => d.isDirectory())
  .map(d => ({ name: d.name, entry: ['main.jsx', 'main.tsx'].map(f => join(here, 'src', d.name, f)).find(existsSync) }))
  .filter(a => a.entry);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(here, 'public'), out, { recursive: true });

const options = {
  entryPoints: Object.fromEntries(apps.map(a => [`${a.name}/main`, a.entry])),
  outdir: out,
  bundle: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'shared/[name]-[hash]',
  minify: !watch,
  sourcemap: true,
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.svg': 'text' },
  legalComments: 'linked',
  logLevel: 'warning',
};

// Each app's index.html names its own bundle by absolute path, so the root copy of the chat's page works at / too.
for (const app of apps) {
  const page = readFileSync(join(here, 'src', app.name, 'index.html'), 'utf8');
  mkdirSync(join(out, app.name), { recursive: true });
  writeFileSync(join(out, app.name, 'index.html'), page);
  if (app.name === rootApp) writeFileSync(join(out, 'index.html'), page);
}

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`watching ${apps.map(a => a.name).join(', ')} → ${out}`);
} else {
  await esbuild.build(options);
  console.log(`built ${apps.map(a => a.name).join(', ')} → ${out}`);
}
