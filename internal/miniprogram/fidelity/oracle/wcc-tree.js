#!/usr/bin/env node
// Renders WXML with WeChat's official compiler (npm miniprogram-compiler,
// which wraps wcc) and prints the tree in the canonical form of canon.js.
//
//   node wcc-tree.js <case-dir> [data.json]   one case: {"tree": [...]} or {"error": "..."}
//   node wcc-tree.js --batch < cases.json     many: [{name, files: {path: text}, data}] on stdin,
//                                             {name: result} on stdout
//
// A result is {"tree": children of wx-page} when wcc compiles and renders,
// {"error": message} when wcc refuses to compile, {"throws": message} when
// the render function throws. "console" lists what wcc's runtime logged
// while rendering (kept for humans, not compared).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { canonTree } = require('./canon');

globalThis.window = globalThis; // wcc's output looks for window
const { wxmlToJs } = require('miniprogram-compiler');

// wcc's output keeps state in implicit globals (__WXML_GLOBAL__ caches the
// compiled expressions per $gwx name), so every case starts from the globals
// there were before the first one.
const baseGlobals = new Set(Object.getOwnPropertyNames(globalThis));
function resetGlobals() {
  for (const k of Object.getOwnPropertyNames(globalThis)) {
    if (!baseGlobals.has(k)) delete globalThis[k];
  }
  // The WXS runtime defines nv_* properties on the built-in prototypes once
  // and marks that in __WXML_GLOBAL__; doing it twice throws.
  if (Object.prototype.hasOwnProperty('nv_constructor')) globalThis.__WXML_GLOBAL__ = { wxs_nf_init: true };
}

function renderDir(dir, data) {
  resetGlobals();
  let js;
  try {
    // Paths are handed to wcc as "./x.wxml", the way WeChat's devtools do:
    // with bare "x.wxml" paths wcc cannot resolve absolute src="/x.wxml".
    js = wxmlToJs(dir, { wxmlList: listFiles(dir, '.wxml'), wxsList: listFiles(dir, '.wxs') });
  } catch (e) {
    // The wrapper prefixes wcc's stderr with a Chinese "compile error:" label.
    return { error: String(e.message).replace(/^[^：]*：/, '').trim() };
  }
  const logged = [];
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  const capture = (...a) => logged.push(a.map(String).join(' ').split('\n')[0]);
  console.log = console.warn = console.error = console.info = capture;
  try {
    const $gwx = new Function('global', js)({});
    const page = $gwx('./index.wxml');
    if (typeof page !== 'function') return { throws: 'index.wxml not generated', console: logged };
    const root = page(data);
    const out = { tree: canonTree(root && root.children, false) };
    if (root && root.tag !== 'wx-page') out.root = String(root.tag);
    if (logged.length) out.console = logged;
    return out;
  } catch (e) {
    const out = { throws: String(e && e.message ? e.message : e) };
    if (logged.length) out.console = logged;
    return out;
  } finally {
    Object.assign(console, saved);
  }
}

function listFiles(dir, ext, rel = '.') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = rel + '/' + e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, ext, p));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

function writeCase(dir, files) {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--batch') {
    const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'wcc-oracle-'));
    const results = {};
    try {
      cases.forEach((c, i) => {
        const dir = path.join(base, String(i));
        writeCase(dir, c.files);
        results[c.name] = renderDir(dir, c.data === undefined ? {} : c.data);
      });
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
    process.stdout.write(JSON.stringify(results));
    return;
  }
  if (args.length < 1) {
    process.stderr.write('usage: wcc-tree.js <case-dir> [data.json] | --batch < cases.json\n');
    process.exit(2);
  }
  const data = args[1] ? JSON.parse(fs.readFileSync(args[1], 'utf8')) : {};
  process.stdout.write(JSON.stringify(renderDir(path.resolve(args[0]), data), null, 1) + '\n');
}

main();
