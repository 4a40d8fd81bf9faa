import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PICTURE_BYTES } from '../../common/pictures.ts';
import { PictureSpool } from './spool.ts';
import { FLAME, hostExec } from './host-exec.test-support.ts';
import { READ_CHUNK_BYTES } from './spool-read.ts';

function spoolWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-spool-'));
  let t = 1764650000;
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    utimesSync(join(dir, name), t, t++);
  }
  return dir;
}

test('the list shows valid pictures newest first and leaves hostile files out', async () => {
  const dir = spoolWith({
    'flame-1764650000000-old.json': JSON.stringify(FLAME),
    'flame-1764650001000-bad-json.json': '{"kind":',
    'charts-1764650002000-wrong.json': JSON.stringify({ kind: 'charts', title: 'x' }),
    'notes.json': JSON.stringify(FLAME),
    'flame-1764650003000-new.json': JSON.stringify({ ...FLAME, title: 'newer' }),
  });
  symlinkSync('/etc/hostname', join(dir, 'flame-1764650004000-link.json'));
  try {
    const calls: string[] = [];
    const spool = new PictureSpool();
    const r = await spool.list('s-1', hostExec(dir, calls));
    assert.ok(r.ok);
    assert.deepEqual(r.value.map((p) => [p.name, p.title]), [['flame-1764650003000-new.json', 'newer'], ['flame-1764650000000-old.json', FLAME.title]]);
    // A second list reads no file again: it only lists.
    const before = calls.length;
    const again = await spool.list('s-1', hostExec(dir, calls));
    assert.ok(again.ok && again.value.length === 2);
    assert.equal(calls.length, before + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a read names what is wrong: bad name, missing, link, bad JSON, wrong schema, too big', async () => {
  const dir = spoolWith({
    'flame-1764650001000-bad-json.json': '{"kind":',
    'charts-1764650002000-wrong.json': JSON.stringify({ kind: 'charts', title: 'x' }),
    'flame-1764650005000-huge.json': ' '.repeat(MAX_PICTURE_BYTES + 1),
  });
  symlinkSync('/etc/hostname', join(dir, 'flame-1764650004000-link.json'));
  try {
    const spool = new PictureSpool();
    const exec = hostExec(dir);
    const expect = async (name: string, code: string, message: RegExp) => {
      const r = await spool.read(exec, name);
      assert.ok(!r.ok, name);
      assert.equal(r.error.code, code, `${name}: ${r.error.message}`);
      assert.match(r.error.message, message);
    };
    await expect('../../etc/passwd', 'bad-request', /is not a picture name/);
    await expect('flame-1764650009000-none.json', 'not-found', /no picture flame-1764650009000-none\.json/);
    await expect('flame-1764650004000-link.json', 'not-found', /no picture/);
    await expect('flame-1764650001000-bad-json.json', 'bad-request', /not a valid picture: it is not JSON/);
    await expect('charts-1764650002000-wrong.json', 'bad-request', /does not match the picture format: createdAt: .*mode/);
    await expect('flame-1764650005000-huge.json', 'payload-too-large', /bytes; the runner reads at most/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a picture larger than one exec output is read in slices', async () => {
  // Random-ish labels compress badly, so the gzipped file spans several slices.
  const stacks = Array.from({ length: 6000 }, (_, i) => [`svc;${(i * 2654435761 % 4294967296).toString(36)};f${i}`, 1 + (i % 7)]);
  const dir = spoolWith({ 'flame-1764650000000-big.json': JSON.stringify({ ...FLAME, stacks }) });
  try {
    const calls: string[] = [];
    const r = await new PictureSpool().read(hostExec(dir, calls), 'flame-1764650000000-big.json');
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.ok(r.value.kind === 'flame' && r.value.stacks.length === 6000);
    assert.ok(calls.length > 1, `read in ${calls.length} slices of ${READ_CHUNK_BYTES} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lab that is gone or a backend that does not answer is a clear error, not a crash', async () => {
  const spool = new PictureSpool();
  const gone = await spool.list('s-1', async () => ({ ok: false, error: { code: 'gone', message: 'container vanished' } }));
  assert.ok(!gone.ok && gone.error.code === 'conflict' && /not running/.test(gone.error.message));
  const down = await spool.read(async () => ({ ok: false, error: { code: 'backend-unavailable', message: 'docker is down' } }), 'flame-1764650000000-a.json');
  assert.ok(!down.ok && down.error.code === 'backend-unavailable' && /docker is down/.test(down.error.message));
});
