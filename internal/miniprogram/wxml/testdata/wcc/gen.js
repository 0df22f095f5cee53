// Regenerates ../wcc_cases.json from cases.js with WeChat's wcc (the test oracle):
//   mkdir -p /tmp/wxmlc && cd /tmp/wxmlc && npm init -y && npm i miniprogram-compiler@0.2.3
//   NODE_PATH=/tmp/wxmlc/node_modules node gen.js cases.js ../wcc_cases.json
// Files are passed to wcc as "./path", as the developer tools pass them (absolute src paths resolve only then).
globalThis.window = globalThis;
const fs=require('fs'),path=require('path'),os=require('os');
const {wxmlToJs}=require('miniprogram-compiler');
const quiet=()=>{}; const realLog=console.log;
const cases=require(path.resolve(process.argv[2]));
const norm=n=>{ if(typeof n==='string') return n;
  const attr=Object.assign({}, n.attr);
  for(const [k,v] of Object.entries(n.generics||{})) attr['generic:'+k.replace(/^wx-/,'')]=String(v).replace(/^wx-/,'');
  return {tag:n.tag.replace(/^wx-/,''), attr, children:(n.children||[]).map(norm)}; };
const out=[];
for(const c of cases){
  if(globalThis.__WXML_GLOBAL__){const G=globalThis.__WXML_GLOBAL__;G.ops_cached={};G.ops_set={};G.ops_init={};G.modules={};}
  const dir=fs.mkdtempSync(path.join(os.tmpdir(),'wcc-'));
  const rec={name:c.name, files:c.files, path:c.path||'index.wxml', data:c.data||{}};
  try{
    for(const [p,s] of Object.entries(c.files)){fs.mkdirSync(path.dirname(path.join(dir,p)),{recursive:true});fs.writeFileSync(path.join(dir,p),s);}
    const wx=Object.keys(c.files).filter(f=>f.endsWith('.wxml')).map(f=>'./'+f);
    const ws=Object.keys(c.files).filter(f=>f.endsWith('.wxs')).map(f=>'./'+f);
    let js;
    try{ js=wxmlToJs(dir,{wxmlList:wx,wxsList:ws});}catch(e){rec.wantCompileError=String(e.message).replace(/^.*?：/,'').trim(); out.push(rec); continue;}
    console.log=console.warn=console.error=quiet;
    try{
      const g=new Function('global',js)({});
      const tree=g('./'+rec.path)(JSON.parse(JSON.stringify(rec.data)));
      rec.want=JSON.parse(JSON.stringify(tree.children.map(norm)));
    }catch(e){rec.wantRuntimeError=String(e);}
    finally{console.log=realLog;}
    out.push(rec);
  }finally{fs.rmSync(dir,{recursive:true,force:true});}
}
fs.writeFileSync(process.argv[3], JSON.stringify(out,null,1)+'\n');
realLog(out.length+' cases; compile errors: '+out.filter(r=>r.wantCompileError).length+'; runtime errors: '+out.filter(r=>r.wantRuntimeError).length);
