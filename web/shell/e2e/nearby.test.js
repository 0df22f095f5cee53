// End-to-end test of "Mini programs nearby": a real `superapp serve --dev`
// with three mini programs (the fixture hello-mp published as dev builds)
// whose POIs are added through WeChat's own /wxa/addnearbypoi, and the
// shell's page driven through Debian's chromium with the browser's
// geolocation granted and set by playwright. Run with
// `node --test e2e/nearby.test.js` from web/shell (see run.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessToken, openBrowser, signInTestUser, startSuperapp } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'hello-mp');

const tmp = mkdtempSync(join(tmpdir(), 'superapp-e2e-nearby-'));
let app;
let base;
let context;
let page;
const problems = [];
const mps = {}; // name → { appid, secret, token }

// People's Square, Shanghai; north(m) is m meters due north of it.
const here0 = { latitude: 31.2304, longitude: 121.4737 };
const north = (m, from = here0) => from.latitude + m / 111195.08;
// Somewhere else (West Lake, Hangzhou), for paging.
const lake = { latitude: 30.2425, longitude: 120.1485 };

/** Grants geolocation and puts the browser at where. */
async function locateAt(where) {
  await context.grantPermissions(['geolocation'], { origin: base });
  await context.setGeolocation({ ...where, accuracy: 20 });
}

async function wx(path, token, body) {
  const r = await fetch(`${base}${path}?access_token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.json();
}

async function addPOI(mp, name, latitude, longitude, credential) {
  const r = await wx('/wxa/addnearbypoi', mp.token, {
    is_comm_nearby: '1', kf_info: '', pic_list: '{"list":[]}', service_infos: '', store_name: name, hour: '09:00-21:00',
    address: name + ' Road 1', company_name: 'Example Ltd', contract_phone: '021-1234567', credential, qualification_list: '',
    map_poi_id: '', latitude, longitude,
  });
  assert.equal(r.errcode, 0, JSON.stringify(r));
  return r.data.poi_id;
}

before(async () => {
  app = await startSuperapp(tmp);
  base = app.base;
  for (const [name, credential] of [['Noodles', '111111111111111'], ['Books', '222222222222222'], ['Far Cafe', '333333333333333']]) {
    const created = JSON.parse(app.cli('app', 'create', '--kind', 'miniprogram', '--name', name));
    app.cli('mp', 'publish', '--appid', created.appid, fixture);
    mps[name] = { ...created, token: await accessToken(base, created.appid, created.secret), credential };
  }
  await addPOI(mps.Noodles, 'Noodle Bar', north(1000), here0.longitude, mps.Noodles.credential);
  await addPOI(mps.Books, 'Book Corner', north(3000), here0.longitude, mps.Books.credential);
  await addPOI(mps['Far Cafe'], 'Far Away Cafe', north(8000), here0.longitude, mps['Far Cafe'].credential);

  ({ context, page } = await openBrowser(tmp, problems));
  await signInTestUser(page, base);
});

after(async () => {
  await context?.close();
  await app?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('Discover → nearby lists the two mini programs within 5 km, nearest first, and opens one with scene 1026', async () => {
  await locateAt(here0);
  await page.goto(base + '/discover');
  await page.getByTestId('discover-nearby').click();
  await page.getByTestId('nearby-list').waitFor();
  const items = page.getByTestId('nearby-item');
  assert.equal(await items.count(), 2, 'the 8 km POI is outside the 5 km radius');
  assert.deepEqual(await page.getByTestId('nearby-name').allTextContents(), ['Noodles', 'Books']);
  assert.deepEqual(await page.getByTestId('nearby-distance').allTextContents(), ['1.0 km', '3.0 km']);
  assert.deepEqual(await page.getByTestId('nearby-store').allTextContents(), ['Noodle Bar · Noodle Bar Road 1', 'Book Corner · Book Corner Road 1']);
  assert.equal(await page.getByTestId('nearby-more').count(), 0);

  await items.first().click();
  await page.waitForURL((u) => u.pathname === '/miniprogram/' + mps.Noodles.appid && u.searchParams.get('scene') === '1026');
  await page.getByTestId('mp-container').waitFor();

  // The other tests use a new tab: in the tab that ran a mini program's
  // frame (an out-of-process iframe), later documents get
  // POSITION_UNAVAILABLE from playwright's emulated geolocation
  // (a chromium/playwright quirk; a new tab is unaffected).
  await page.close();
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push('console: ' + m.text());
  });
});

test('a hidden POI leaves the list', async () => {
  const list = await wx('/wxa/getnearbypoilist', mps.Books.token, { page: 1, page_rows: 20 });
  const poi = JSON.parse(list.data.data).poi_list[0];
  assert.equal((await wx('/wxa/setnearbypoishowstatus', mps.Books.token, { poi_id: poi.poi_id, status: 0 })).errcode, 0);
  await locateAt(here0);
  await page.goto(base + '/nearby');
  await page.getByTestId('nearby-list').waitFor();
  assert.deepEqual(await page.getByTestId('nearby-name').allTextContents(), ['Noodles']);
  assert.equal((await wx('/wxa/setnearbypoishowstatus', mps.Books.token, { poi_id: poi.poi_id, status: 1 })).errcode, 0);
});

test('paging: 25 stores nearby show 20, then "More" shows the rest in distance order', async () => {
  // 9 more each for Noodles and Books (10 is the quota), 7 more for Far Cafe.
  const plan = [['Noodles', 9], ['Books', 9], ['Far Cafe', 7]];
  let i = 0;
  for (const [name, count] of plan) {
    for (let j = 0; j < count; j++, i++) {
      await addPOI(mps[name], `Lake ${String(i).padStart(2, '0')}`, north(100 + 150 * i, lake), lake.longitude, mps[name].credential);
    }
  }
  await locateAt(lake);
  await page.goto(base + '/nearby');
  await page.getByTestId('nearby-list').waitFor();
  assert.equal(await page.getByTestId('nearby-item').count(), 20);
  await page.getByTestId('nearby-more').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=nearby-item]').length === 25);
  const stores = (await page.getByTestId('nearby-store').allTextContents()).map((s) => s.split(' · ')[0]);
  assert.deepEqual(stores, Array.from({ length: 25 }, (_, n) => `Lake ${String(n).padStart(2, '0')}`));
  assert.equal(await page.getByTestId('nearby-more').count(), 0);
});

test('nobody nearby, and location denied, are said plainly', async () => {
  await locateAt({ latitude: 39.9042, longitude: 116.4074 }); // Beijing
  await page.goto(base + '/nearby');
  await page.getByTestId('nearby-none').waitFor();
  assert.match(await page.getByTestId('nearby-none').textContent(), /No mini programs nearby.*5\.0 km/);

  await context.clearPermissions();
  await page.goto(base + '/nearby');
  await page.getByTestId('nearby-denied').waitFor();
  // Allowing it and trying again works without leaving the page.
  await locateAt(here0);
  await page.getByTestId('nearby-retry').click();
  await page.getByTestId('nearby-list').waitFor();
  assert.equal(await page.getByTestId('nearby-item').count(), 2);
  assert.deepEqual(problems, []);
});
