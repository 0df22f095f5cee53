// The WXSS oracle: compiles cases with WeChat's own wcsc (npm
// miniprogram-compiler@0.2.3) and captures the CSS its generated JS puts in
// a <style>, per window width.
//
// stdin:  [{"name", "files": {"a.wxss": "…", …}, "entry": "a.wxss",
//           "suffix": "S--" | "", "widths": [320, 375, …]}, …]
// stdout: {"<name>": {"error": "…"} | {"css": {"320": "…", …}}, …}
//
// wcsc is run directly (not through the package's wxssToJs, which adds -db:
// debug declarations that no production build has), with every file of the
// case as a page file (-pc N), so each gets its own entry point.
'use strict';
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const unescapeJs = require('unescape-js');

const wcsc = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin/linux/wcsc');
try { fs.chmodSync(wcsc, 0o755); } catch (e) { /* read-only install: it may already be executable */ }

function compile(c) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxss-oracle-'));
  try {
    const names = Object.keys(c.files);
    for (const n of names) {
      fs.mkdirSync(path.dirname(path.join(dir, n)), {recursive: true});
      fs.writeFileSync(path.join(dir, n), c.files[n]);
    }
    const r = spawnSync(wcsc, ['-pc', String(names.length), ...names], {cwd: dir, maxBuffer: 64 << 20});
    const stdout = r.stdout.toString();
    if (r.status !== 0) return {error: (stdout + r.stderr.toString()).trim()};
    // Output: name=value=name=value…; '=' inside values is escaped as \x3d.
    const parts = stdout.split('=');
    const out = {};
    for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]] = unescapeJs(parts[i + 1]);
    const css = {};
    for (const w of c.widths) css[String(w)] = run(out, c.entry, w, c.suffix || '');
    return {css};
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

// run evaluates wcsc's JS on a fake non-iOS device screen.width wide (the
// variable its prelude reads for deviceWidth) and returns the entry's CSS.
function run(out, entry, width, suffix) {
  const styles = [];
  const window = {screen: {width, height: 2 * width}, devicePixelRatio: 2};
  const document = {
    head: {appendChild(s) { styles.push(s); }},
    createElement() {
      return {childNodes: [], setAttribute() {}, appendChild(t) { this.childNodes.push(t); }};
    },
    createTextNode(t) { return {nodeValue: t}; },
  };
  const navigator = {userAgent: 'Mozilla/5.0 (X11; Linux x86_64)'};
  const f = new Function('window', 'document', 'navigator', out.comm + ';\nreturn ' + out[entry] + ';');
  const rewrite = f(window, document, navigator);
  styles.length = 0; // what comm itself inserted (app.wxss, hoisted :host rules)
  rewrite(suffix);
  return styles[0].childNodes[0].nodeValue;
}

const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = {};
for (const c of cases) results[c.name] = compile(c);
process.stdout.write(JSON.stringify(results));
