// Bundles the console into one script and one stylesheet, and copies index.html beside them: node build.mjs <outdir>.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: node build.mjs <outdir>");
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: { app: "src/main.jsx" },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir,
  metafile: true,
  logLevel: "warning",
});
copyFileSync("src/index.html", join(outdir, "index.html"));
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}: ${(bytes / 1024).toFixed(1)} KiB`);
}
