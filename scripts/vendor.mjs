// Copy the built front-end libraries and their licences from node_modules/ into
// service/static/vendor/ (committed), so that the service needs no Node and no CDN at run time.
//
// Run through `make vendor`, which first installs the exact versions pinned in package.json and
// package-lock.json with `npm ci`. Only the files the pages load are copied (minified builds),
// plus each package's licence and, for YASGUI, the licences of every package bundled inside it.
// The world land outline (Natural Earth 1:110m, public domain, through world-atlas) is converted
// from TopoJSON to GeoJSON here, so the browser needs no TopoJSON client.

import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, copyFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "service", "static", "vendor");
const require = createRequire(join(root, "package.json"));

function pkg(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
}

function licenceFile(name) {
  const dir = join(modules, name);
  const found = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return found ? readFileSync(join(dir, found), "utf8").trim() : null;
}

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;

// A package that ships no licence file: say what its package.json declares, and give the text of
// the MIT licence when that is the licence declared.
function declaredLicence(name) {
  const meta = pkg(name);
  const who = [meta.author?.name ?? meta.author, ...(meta.contributors ?? []).map((c) => c.name ?? c)]
    .filter(Boolean)
    .join(", ");
  let text = `${name}@${meta.version} ships no licence file; its package.json declares the licence ` +
    `"${meta.license}"${who ? ` (author and contributors: ${who})` : ""}.`;
  if (meta.license === "MIT") text += `\n\nThe MIT licence:\n\n${MIT}`;
  return text;
}

function licenceOf(name) {
  return licenceFile(name) ?? declaredLicence(name);
}

// Every package that `name` depends on, transitively (what its bundle may contain).
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const meta = pkg(name);
  for (const dep of Object.keys({ ...meta.dependencies, ...meta.peerDependencies })) {
    if (existsSync(join(modules, dep, "package.json"))) closure(dep, seen);
  }
  return seen;
}

// Copy one file; built JS and CSS lose their source-map comment, as the maps are not shipped.
function copy(name, from, to) {
  const dest = join(target, to);
  mkdirSync(dirname(dest), { recursive: true });
  if (/\.(js|css)$/.test(from)) {
    const text = readFileSync(join(modules, name, from), "utf8");
    writeFileSync(dest, text.replace(/\n?\/[/*][#@] sourceMappingURL=\S+( \*\/)?\s*$/, "\n"));
  } else {
    copyFileSync(join(modules, name, from), dest);
  }
}

if (!existsSync(modules)) {
  console.error("node_modules/ is missing: run `npm ci` first (or `make vendor`)");
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const versions = {};

// YASGUI: one self-contained bundle (CodeMirror, DataTables, icons... inside) and its CSS.
{
  const name = "@zazuko/yasgui";
  copy(name, "build/yasgui.min.js", "yasgui/yasgui.min.js");
  copy(name, "build/yasgui.min.css", "yasgui/yasgui.min.css");
  writeFileSync(join(target, "yasgui", "LICENSE"), licenceOf(name) + "\n");
  const bundled = [...closure(name)].filter((n) => n !== name).sort();
  const parts = bundled.map((n) => {
    const meta = pkg(n);
    return `${"=".repeat(78)}\n${n}@${meta.version} (${meta.license ?? "see below"})\n${"=".repeat(78)}\n\n${licenceOf(n)}\n`;
  });
  writeFileSync(
    join(target, "yasgui", "THIRD-PARTY-LICENSES.txt"),
    `Licences of the packages that @zazuko/yasgui depends on and bundles into yasgui.min.js.\n\n${parts.join("\n")}`,
  );
  versions[name] = pkg(name).version;
}

// Leaflet: the minified build, its CSS and the few images the CSS refers to.
{
  const name = "leaflet";
  copy(name, "dist/leaflet.js", "leaflet/leaflet.js");
  copy(name, "dist/leaflet.css", "leaflet/leaflet.css");
  for (const image of readdirSync(join(modules, name, "dist", "images"))) {
    copy(name, `dist/images/${image}`, `leaflet/images/${image}`);
  }
  writeFileSync(join(target, "leaflet", "LICENSE"), licenceOf(name) + "\n");
  versions[name] = pkg(name).version;
}

// The land outline under the map, shown when tiles cannot be loaded (offline).
{
  const name = "world-atlas";
  const { feature } = require("topojson-client");
  const topology = JSON.parse(readFileSync(join(modules, name, "land-110m.json"), "utf8"));
  const land = feature(topology, topology.objects.land);
  // world-atlas is made for spherical projections: a few rings (Chukotka, Fiji, Antarctica)
  // jump from +180 to -180 degrees. On a flat map such a jump is drawn as a line across the
  // world, so longitudes are unwrapped to keep each ring continuous (past 180 if need be).
  const unwrap = (ring) => {
    let shift = 0;
    const out = ring.map(([lon, lat], i) => {
      if (i > 0) {
        const previous = ring[i - 1][0];
        if (lon - previous > 180) shift -= 360;
        else if (previous - lon > 180) shift += 360;
      }
      return [lon + shift, lat];
    });
    // Bring the ring back so that its middle lies between -180 and 180.
    const middle = out.reduce((sum, [lon]) => sum + lon, 0) / out.length;
    const back = middle > 180 ? -360 : middle < -180 ? 360 : 0;
    return back ? out.map(([lon, lat]) => [lon + back, lat]) : out;
  };
  const geometries = land.type === "FeatureCollection" ? land.features.map((f) => f.geometry) : [land.geometry];
  for (const geometry of geometries) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    for (const polygon of polygons) polygon.forEach((ring, i) => { polygon[i] = unwrap(ring); });
  }
  // Five decimals (about a metre) are far more than a 1:110m outline needs.
  const json = JSON.stringify(land, (key, value) =>
    typeof value === "number" ? Math.round(value * 1e5) / 1e5 : value,
  );
  mkdirSync(join(target, "world-atlas"), { recursive: true });
  writeFileSync(join(target, "world-atlas", "land-110m.geojson"), json + "\n");
  writeFileSync(
    join(target, "world-atlas", "LICENSE"),
    `${licenceOf(name)}\n\nThe data is Natural Earth's 1:110m land (public domain), converted from\n` +
      `world-atlas's land-110m.json to GeoJSON with topojson-client@${pkg("topojson-client").version}:\n\n` +
      `${licenceOf("topojson-client")}\n`,
  );
  versions[name] = pkg(name).version;
  versions["topojson-client"] = pkg("topojson-client").version;
}

// Swagger UI for the API documentation page (/docs), which FastAPI would otherwise load from a
// CDN: the bundle, its CSS and the favicon.
{
  const name = "swagger-ui-dist";
  copy(name, "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js");
  copy(name, "swagger-ui.css", "swagger-ui/swagger-ui.css");
  copy(name, "favicon-32x32.png", "swagger-ui/favicon-32x32.png");
  copy(name, "NOTICE", "swagger-ui/NOTICE");
  copy(name, "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui/swagger-ui-bundle.js.LICENSE.txt");
  writeFileSync(join(target, "swagger-ui", "LICENSE"), licenceOf(name) + "\n");
  versions[name] = pkg(name).version;
}

writeFileSync(join(target, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`vendored into ${target}: ${Object.entries(versions).map(([n, v]) => `${n}@${v}`).join(", ")}`);
