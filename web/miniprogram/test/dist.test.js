// dist/frame.html loads view.js relative to itself (/mp/frame → /mp/view.js)
// with ?v= naming view.js's content, the form the host caches for good.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist');

test('frame.html names view.js by the first 16 hex digits of its SHA-256', () => {
  const html = readFileSync(join(dist, 'frame.html'), 'utf8');
  const m = /<script src="view\.js\?v=([0-9a-f]+)"><\/script>/.exec(html);
  assert.ok(m, html);
  const sum = createHash('sha256').update(readFileSync(join(dist, 'view.js'))).digest('hex');
  assert.equal(m[1], sum.slice(0, 16));
});
