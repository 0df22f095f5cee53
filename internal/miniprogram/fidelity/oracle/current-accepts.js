// Which cases WeChat's current template compiler (npm
// glass-easel-template-compiler, the compiler of glass-easel, WeChat's
// component framework) refuses. The fidelity suite's -oracle run uses it to
// check the cases it counts as "wcc is outdated": each must compile here
// without an error.
//
//   node current-accepts.js < cases.json
//
// stdin: [{name, files: {"index.wxml": "...", "lib.wxs": "..."}}]
// stdout: {"<name>": ["<line>:<col>: <message>", ...]} (an empty list: accepted)
const { TmplGroup } = require('glass-easel-template-compiler');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const out = {};
  for (const c of JSON.parse(input)) {
    const group = new TmplGroup();
    const errors = [];
    try {
      for (const [path, text] of Object.entries(c.files)) {
        const name = path.replace(/\.(wxml|wxs)$/, '');
        if (path.endsWith('.wxs')) group.addScript(name, text);
        else if (path.endsWith('.wxml')) {
          for (const e of group.addTmpl(name, text) || []) {
            if (e.isError) errors.push(`${path}:${e.startLine + 1}:${e.startColumn + 1}: ${e.message}`);
          }
        }
      }
      group.getTmplGenObjectGroups();
    } catch (e) {
      errors.push(String(e && e.message ? e.message : e));
    } finally {
      group.free();
    }
    out[c.name] = errors;
  }
  process.stdout.write(JSON.stringify(out));
});
