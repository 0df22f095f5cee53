// The browser half of bench/miniprogram (run by main.go, not by hand): drives
// Debian's chromium through playwright-core against a running
// `superapp serve --dev` whose mini programs are already published, and
// prints one JSON object with every sample on stdout (progress on stderr).
//
//   node bench/miniprogram/browser.mjs CONFIG.json
//
// CONFIG: {base, chromium, chromiumArgs, runs, cold: [{name, appid, selector}], setdata: {appid} | null}
//
// Every timestamp is taken inside the browser as performance.timeOrigin +
// performance.now() of the document or worker where the event happens; the
// documents and the worker of one launch share the browser's clock, so they
// subtract. Nothing is timed from node.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// playwright-core is a dependency of the shell's end-to-end tests.
const { chromium } = createRequire(resolve(repo, 'web/shell/package.json'))('playwright-core');

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const log = (...a) => process.stderr.write(a.join(' ') + '\n');

// instrument runs at the creation of every document of the page (the shell
// and the mini program frame) before its own scripts. In the frame it
// records when the shell's messages arrive, when the logic worker is
// created and first speaks, marks inside the worker (start, runtime
// evaluated, service.js evaluated — by wrapping the worker's Blob text), and
// when each of `selectors` first appears in a page's shadow root.
function instrument(selectors) {
  const T = () => performance.timeOrigin + performance.now();
  const B = (window.__bench = { timeOrigin: performance.timeOrigin, marks: {}, found: {}, foundFrame: {}, worker: {}, shows: [] });
  const mark = (k) => {
    if (!(k in B.marks)) B.marks[k] = T();
  };
  if (window === window.top) {
    addEventListener('message', (e) => e.data && typeof e.data.t === 'string' && mark('shell.got.' + e.data.t), true);
    document.addEventListener('click', (e) => (B.lastClick = performance.timeOrigin + e.timeStamp), true);
    return;
  }
  if (!location.pathname.startsWith('/mp/frame')) return;
  addEventListener(
    'message',
    (e) => {
      const m = e.data;
      if (!m || typeof m.t !== 'string') return;
      mark('frame.got.' + m.t);
      // The logic runtime's text comes with 'load', or ahead of it with
      // 'warm' when the shell pre-warms a spare frame.
      if ((m.t === 'load' || m.t === 'warm') && typeof m.runtime === 'string' && !B.runtimeLength) B.runtimeLength = m.runtime.length;
      if (m.t === 'show') B.shows.push(T());
    },
    true,
  );
  const OrigBlob = window.Blob;
  window.Blob = function (parts, opts) {
    if (opts && opts.type === 'text/javascript' && parts && parts.length === 1 && typeof parts[0] === 'string' && B.runtimeLength) {
      const s = parts[0];
      const n = B.runtimeLength;
      const at = (k) => `\n;(self.__bm = self.__bm || {})[${JSON.stringify(k)}] = performance.timeOrigin + performance.now();\n`;
      if (s.length === n) {
        // The runtime alone (a pre-warmed worker): the package's code comes
        // later through importScripts, which this wraps to time it.
        const hook = `;(function(){var is=self.importScripts;self.importScripts=function(){var first=!self.__bm.serviceStart;if(first)self.__bm.serviceStart=performance.timeOrigin+performance.now();is.apply(self,arguments);if(first){self.__bm.serviceEvaluated=performance.timeOrigin+performance.now();self.postMessage({t:"__bench",marks:self.__bm});}};})();\n`;
        parts = [at('start') + s + at('runtimeEvaluated') + hook];
      } else
        parts = [at('start') + s.slice(0, n) + at('runtimeEvaluated') + s.slice(n) + at('serviceEvaluated') + 'self.postMessage({t: "__bench", marks: self.__bm});\n'];
    }
    return new OrigBlob(parts, opts);
  };
  window.Blob.prototype = OrigBlob.prototype;
  const OrigWorker = window.Worker;
  window.Worker = function (url, opts) {
    mark('worker.new');
    const w = new OrigWorker(url, opts);
    // Added before the frame sets onmessage, so it runs first and can hide
    // the benchmark's own message from the view.
    w.addEventListener('message', (e) => {
      const m = e.data;
      if (m && m.t === '__bench') {
        Object.assign(B.worker, m.marks);
        e.stopImmediatePropagation();
        return;
      }
      mark('worker.first');
      if (m && typeof m.t === 'string') mark('worker.first.' + m.t);
      if (m && m.t === 'ops' && B.opsAt === undefined) {
        B.opsAt = T();
        B.opsCount = m.ops.length;
      }
    });
    return w;
  };
  window.Worker.prototype = OrigWorker.prototype;
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    if (this.classList.contains('mp-page')) {
      B.pageRoot = B.pageRoot || root;
      const obs = new MutationObserver(() => {
        mark('page.firstMutation');
        for (const sel of selectors) {
          if (!(sel in B.found) && root.querySelector(sel)) {
            B.found[sel] = T();
            requestAnimationFrame(() => {
              B.foundFrame[sel] = T();
              // What node waits for (renderedSignal): nothing of the
              // harness touches the page while it starts.
              console.debug('__bench:rendered ' + sel);
            });
          }
        }
      });
      obs.observe(root, { childList: true, subtree: true, characterData: true });
    }
    return root;
  };
}

// renderedSignal resolves when the first page of app is rendered and the
// next frame has run, as the instrument reports with a console message:
// the harness waits without polling or querying the page, whose own work
// (playwright compiling its injected script into the shell and the frame,
// polling every 50 ms) would otherwise share the two cores with the launch
// it measures.
function renderedSignal(page, app) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === '__bench:rendered ' + app.selector, timeout: 20_000 }).catch(() => undefined);
}

async function mpFrame(page, appid) {
  const el = page.locator(`.mp-frame[data-appid="${appid}"] [data-testid=mp-frame]`);
  await el.waitFor({ state: 'attached' });
  return (await el.elementHandle()).contentFrame();
}

// launch navigates to the app and waits for its selector; returns the
// phases of this launch, in ms from the shell's navigation start.
async function launch(page, app) {
  const rendered = renderedSignal(page, app);
  await page.goto(`${config.base}/miniprogram/${app.appid}`, { waitUntil: 'commit' });
  await rendered;
  return measure(page, app, null);
}

// How long the shell sits idle on Discover before the user taps: the time
// a person takes to find the entry, and what the shell gets to prepare a
// container (requestIdleCallback) before any mini program is opened.
const SHELL_IDLE_MS = 3000;

// launchInShell opens the shell on Discover in a new tab (the shell's
// files cached or not, as the context has them), lets it sit idle, then
// taps the app in Discover's recently used list: an in-app navigation.
// Returns the phases of this launch, in ms from the tap.
async function launchInShell(context, app, problems) {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push('console: ' + m.text()));
  await page.goto(`${config.base}/discover`);
  const cell = page.locator(`[data-testid=mp-recent][data-appid="${app.appid}"]`);
  await cell.waitFor();
  await page.waitForTimeout(SHELL_IDLE_MS);
  const rendered = renderedSignal(page, app);
  await cell.click();
  await rendered;
  const out = await measure(page, app, 'click');
  return { page, out };
}

async function measure(page, app, from) {
  const frame = await mpFrame(page, app.appid);
  await frame.waitForFunction((s) => window.__bench && window.__bench.foundFrame[s], app.selector, { timeout: 20_000, polling: 50 }).catch(async (e) => {
    const html = await frame.evaluate(() => window.__bench?.pageRoot?.innerHTML.slice(0, 600) ?? '(no page shadow root)').catch(() => '?');
    throw new Error(`${app.name}: ${app.selector} never appeared in the first page (${e.message.split('\n')[0]}); page: ${html}`);
  });
  const top = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      timeOrigin: performance.timeOrigin,
      lastClick: window.__bench.lastClick,
      marks: window.__bench.marks,
      domContentLoaded: nav.domContentLoadedEventEnd,
      responseEnd: nav.responseEnd,
      transfer: nav.transferSize,
      resources: performance.getEntriesByType('resource').map((r) => ({ name: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd, transfer: r.transferSize, body: r.decodedBodySize })),
    };
  });
  const fr = await frame.evaluate(() => {
    const b = window.__bench;
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      timeOrigin: b.timeOrigin,
      marks: b.marks,
      worker: b.worker,
      found: b.found,
      foundFrame: b.foundFrame,
      htmlEnd: nav.responseEnd,
      resources: performance.getEntriesByType('resource').map((r) => ({ name: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd, transfer: r.transferSize })),
    };
  });
  // Full-page navigation: from the shell document's navigation start; in
  // the shell: from the tap (its event.timeStamp). Phases that happened
  // before the tap (a pre-warmed frame) come out negative.
  const t0 = from === 'click' ? top.lastClick : top.timeOrigin;
  const rel = (t) => (t === undefined ? null : t - t0);
  const res = (pred) => top.resources.filter((r) => pred(r.name));
  const sinceNav = (t) => (t === undefined || t === null ? null : t + top.timeOrigin - t0);
  const launchAPI = res((n) => n.endsWith('/launch'))[0];
  const fetched = res((n) => n.startsWith('/mp/runtime/') || n.startsWith('/mp/pkg/'));
  const viewJS = fr.resources.find((r) => r.name.endsWith('/view.js'));
  const inFrame = (t) => (t === undefined ? null : fr.timeOrigin + t - t0);
  return {
    rendered: rel(fr.found[app.selector]),
    renderedFrame: rel(fr.foundFrame[app.selector]),
    phases: {
      shellHTML: sinceNav(top.responseEnd),
      shellDOMContentLoaded: sinceNav(top.domContentLoaded),
      launchAPIStart: launchAPI ? sinceNav(launchAPI.start) : null,
      launchAPIEnd: launchAPI ? sinceNav(launchAPI.end) : null,
      filesFetched: fetched.length ? sinceNav(Math.max(...fetched.map((r) => r.end))) : null,
      frameNavStart: rel(fr.timeOrigin),
      frameHTML: inFrame(fr.htmlEnd),
      viewJSStart: inFrame(viewJS?.start),
      viewJSFetched: inFrame(viewJS?.end),
      frameReady: rel(top.marks['shell.got.ready']),
      frameGotLoad: rel(fr.marks['frame.got.load']),
      workerNew: rel(fr.marks['worker.new']),
      workerStart: rel(fr.worker.start),
      runtimeEvaluated: rel(fr.worker.runtimeEvaluated),
      serviceStart: rel(fr.worker.serviceStart),
      serviceEvaluated: rel(fr.worker.serviceEvaluated),
      firstOps: rel(fr.marks['worker.first.ops']),
      firstMutation: rel(fr.marks['page.firstMutation']),
    },
    // Bytes that came over the network (0 for an HTTP cache hit).
    transferred: top.transfer + top.resources.reduce((s, r) => s + r.transfer, 0) + fr.resources.reduce((s, r) => s + r.transfer, 0),
    files: top.resources.map((r) => `${r.name} ${Math.round(r.end - r.start)}ms ${r.transfer}B/${r.body}B`),
  };
}

// resume closes the app into the background (the shell keeps its frame) and
// reopens it from Discover's recent list: click → frame shown again.
async function resume(page, app) {
  await page.getByTestId('mp-close').click();
  await page.getByTestId('discover-page').waitFor();
  await page.evaluate((appid) => {
    const b = window.__bench;
    b.visible = undefined;
    const wrap = document.querySelector(`.mp-frame[data-appid="${appid}"]`);
    const obs = new MutationObserver(() => {
      if (!wrap.hidden && b.visible === undefined) {
        b.visible = performance.timeOrigin + performance.now();
        requestAnimationFrame(() => (b.visibleFrame = performance.timeOrigin + performance.now()));
        obs.disconnect();
      }
    });
    obs.observe(wrap, { attributes: true, attributeFilter: ['hidden'] });
  }, app.appid);
  await page.locator(`[data-testid=mp-recent][data-appid="${app.appid}"]`).click();
  await page.waitForFunction(() => window.__bench.visibleFrame, null, { polling: 20 });
  const frame = await mpFrame(page, app.appid);
  await frame.waitForFunction(() => window.__bench.shows.length > 0, null, { polling: 20 });
  const top = await page.evaluate(() => window.__bench);
  const show = await frame.evaluate(() => window.__bench.shows[0]);
  return { visible: top.visible - top.lastClick, visibleFrame: top.visibleFrame - top.lastClick, showDelivered: show - top.lastClick };
}

async function newContext(browser, selectors, recentApp) {
  const context = await browser.newContext({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 1, locale: 'en-US' });
  await context.addInitScript(instrument, selectors);
  const r = await context.request.post(config.base + '/shell/api/test-user', { data: {} });
  if (!r.ok()) throw new Error(`test-user: ${r.status()} ${await r.text()}`);
  if (recentApp) {
    // The app is in the user's recently used list (recent.ts's key), as
    // after an earlier visit, so Discover offers it to tap.
    const body = await r.json();
    const user = body.user ?? body;
    await context.addInitScript(
      ([k, v]) => {
        if (location.pathname === '/discover' && !localStorage.getItem(k)) localStorage.setItem(k, v);
      },
      [`superapp.mp.recent.${user.id}`, JSON.stringify([{ appid: recentApp.appid, name: recentApp.name, at: Date.now() }])],
    );
  }
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push('console: ' + m.text()));
  return { context, page, problems };
}

async function coldWarm(browser) {
  const selectors = config.cold.map((a) => a.selector);
  const out = {};
  for (const app of config.cold) {
    const samples = { shellCold: [], shellWarm: [], cold: [], warm: [], resume: [], problems: [] };
    out[app.name] = samples;
    // One unmeasured launch first, so the server's own first-request work
    // (opening the build, filling its caches) is not in run 1.
    for (let run = -1; run < config.runs; run++) {
      // A new browser context has an empty HTTP cache: cold. Navigating the
      // same page again afterwards recreates shell, frame and worker with
      // the cache primed: warm.
      // In the shell: a new context (empty HTTP cache), the shell booted on
      // Discover and idle, then a tap: cold (the package is not cached).
      // Then a new tab of the same context (the first one closed, so the
      // mini program is in no memory), the same again: warm.
      const shell = await newContext(browser, selectors, app);
      try {
        await shell.page.close();
        const first = await launchInShell(shell.context, app, shell.problems);
        await first.page.close();
        const second = await launchInShell(shell.context, app, shell.problems);
        if (run >= 0) {
          samples.shellCold.push(first.out);
          samples.shellWarm.push(second.out);
        }
      } catch (e) {
        samples.problems.push(String(e.message || e));
        log(`${app.name} run ${run + 1} (in shell): ${e.message}`);
      } finally {
        samples.problems.push(...shell.problems.filter((p) => !samples.problems.includes(p)));
        await shell.context.close();
      }
      const { context, page, problems } = await newContext(browser, selectors);
      try {
        const cold = await launch(page, app);
        const warm = await launch(page, app);
        const res = await resume(page, app);
        if (run >= 0) {
          samples.cold.push(cold);
          samples.warm.push(warm);
          samples.resume.push(res);
          const sc = samples.shellCold.at(-1), sw = samples.shellWarm.at(-1);
          log(`${app.name} run ${run + 1}: in shell cold ${sc?.rendered.toFixed(1)} ms, warm ${sw?.rendered.toFixed(1)} ms; full page cold ${cold.rendered.toFixed(1)} ms (${cold.transferred} B), warm ${warm.rendered.toFixed(1)} ms (${warm.transferred} B), resume ${res.visibleFrame.toFixed(1)} ms`);
        }
      } catch (e) {
        samples.problems.push(String(e.message || e));
        log(`${app.name} run ${run + 1}: ${e.message}`);
      } finally {
        samples.problems.push(...problems.filter((p) => !samples.problems.includes(p)));
        await context.close();
      }
    }
  }
  return out;
}

// setData: one context, one launch of the bench-setdata fixture; each run
// taps clear, init, one, replace, append, appendPaths in turn.
async function setData(browser) {
  const { context, page, problems } = await newContext(browser, ['#b-clear']);
  const out = { samples: {}, problems };
  try {
    await page.goto(`${config.base}/miniprogram/${config.setdata.appid}`);
    const frame = await mpFrame(page, config.setdata.appid);
    await frame.waitForFunction(() => window.__bench && window.__bench.foundFrame['#b-clear']);
    let seq = 0;
    const step = async (kind, predicate, arg) => {
      // The view side: a MutationObserver on the page's shadow root notes
      // when the DOM first satisfies predicate, and the next frame.
      await frame.evaluate(
        ([src, a]) => {
          const b = window.__bench;
          const check = new Function('root', 'a', 'return (' + src + ')(root, a)');
          b.dom = b.domFrame = b.opsAt = undefined;
          const obs = new MutationObserver(() => {
            if (b.dom === undefined && check(b.pageRoot, a)) {
              b.dom = performance.timeOrigin + performance.now();
              requestAnimationFrame(() => (b.domFrame = performance.timeOrigin + performance.now()));
              obs.disconnect();
            }
          });
          obs.observe(b.pageRoot, { childList: true, subtree: true, characterData: true, attributes: true });
        },
        [predicate.toString(), arg],
      );
      await frame.locator('#b-' + kind.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).click();
      seq++;
      const timing = await frame.waitForFunction(
        (want) => {
          const b = window.__bench;
          const t = b.pageRoot.querySelector('#timing')?.textContent;
          if (!t || b.domFrame === undefined) return null;
          const v = JSON.parse(t);
          return v.seq === want ? { ...v, dom: b.dom, domFrame: b.domFrame, opsAt: b.opsAt, opsCount: b.opsCount } : null;
        },
        seq,
        { polling: 20 },
      );
      const v = await timing.jsonValue();
      if (v.kind !== kind) throw new Error(`expected timing of ${kind}, got ${v.kind}`);
      // ops: when the view received the update's first ops message (the
      // worker's render, diff and postMessage), and how many ops it had.
      return { dom: v.dom - v.t0, frame: v.domFrame - v.t0, callback: v.t1 - v.t0, ops: v.opsAt - v.t0, opsCount: v.opsCount };
    };
    for (let run = -1; run < config.runs; run++) {
      const round = run + 2; // the page counts init taps from 1
      const r = {};
      r.clear = await step('clear', (root) => !root.querySelector('#i-0'));
      r.init = await step('init', (root, a) => root.querySelectorAll('.item').length === 1000 && root.querySelector('#i-999 .title')?.textContent === a, `item r${round} 999`);
      r.one = await step('one', (root, a) => root.querySelector('#i-500 .title')?.textContent === a, `changed r${round}`);
      r.replace = await step('replace', (root, a) => root.querySelector('#i-999 .title')?.textContent === a, `replaced r${round} 999`);
      r.append = await step('append', (root) => !!root.querySelector('#i-1099'));
      r.appendPaths = await step('appendPaths', (root) => !!root.querySelector('#i-1199'));
      if (run >= 0) {
        for (const [k, v] of Object.entries(r)) (out.samples[k] ||= []).push(v);
        log(`setData run ${run + 1}: ` + Object.entries(r).map(([k, v]) => `${k} ${v.dom.toFixed(1)}`).join(', '));
      }
    }
  } catch (e) {
    problems.push(String(e.message || e));
    log('setData: ' + e.message);
  } finally {
    await context.close();
  }
  return out;
}

const browser = await chromium.launch({
  executablePath: config.chromium || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...(config.chromiumArgs || [])],
});
const result = { chromium: browser.version() };
try {
  if (config.cold?.length) result.cold = await coldWarm(browser);
  if (config.setdata) result.setdata = await setData(browser);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
