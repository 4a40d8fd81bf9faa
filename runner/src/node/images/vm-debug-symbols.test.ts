import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { debugVmlinuxPath, ensureDebugVmlinux, parsePrintUris } from './vm-debug-symbols.ts';

test('apt-get download --print-uris: the URL, file, size and SHA256 of the debug package', () => {
  const line = "'http://deb.debian.org/debian-security/pool/updates/main/l/linux/linux-image-6.1.0-57-amd64-dbg_6.1.192-3_amd64.deb' "
    + 'linux-image-6.1.0-57-amd64-dbg_6.1.192-3_amd64.deb 858555196 SHA256:945f6a75b2f681e0d2af790b5636b8b78d5f8222f02f54ac088655da995d49d2\n';
  assert.deepEqual(parsePrintUris(`Reading package lists...\n${line}`), {
    url: 'http://deb.debian.org/debian-security/pool/updates/main/l/linux/linux-image-6.1.0-57-amd64-dbg_6.1.192-3_amd64.deb',
    file: 'linux-image-6.1.0-57-amd64-dbg_6.1.192-3_amd64.deb',
    size: 858555196,
    sha256: '945f6a75b2f681e0d2af790b5636b8b78d5f8222f02f54ac088655da995d49d2',
  });
  assert.equal(parsePrintUris('E: Unable to locate package linux-image-x-dbg'), null);
  assert.equal(debugVmlinuxPath('6.1.0-57-amd64'), '/usr/lib/debug/boot/vmlinux-6.1.0-57-amd64');
});

const haveTools = ['gcc', 'dpkg-deb', 'tar'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

test('the debug vmlinux is streamed out of a .deb over HTTP, checked, indexed and cached; a wrong checksum keeps nothing', { skip: haveTools ? false : 'needs gcc and dpkg-deb' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-dbgsym-'));
  const server = createServer();
  try {
    // A tiny package shaped like linux-image-<ver>-dbg: the one file crash needs, with DWARF in it.
    const pkgRoot = join(dir, 'pkg');
    mkdirSync(join(pkgRoot, 'DEBIAN'), { recursive: true });
    mkdirSync(join(pkgRoot, 'usr/lib/debug/boot'), { recursive: true });
    mkdirSync(join(pkgRoot, 'usr/share/other'), { recursive: true });
    writeFileSync(join(pkgRoot, 'usr/share/other/big'), Buffer.alloc(3 * 1024 * 1024, 1)); // what is not extracted
    writeFileSync(join(pkgRoot, 'DEBIAN/control'), 'Package: linux-image-9.9.9-test-dbg\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n');
    writeFileSync(join(dir, 'k.c'), 'struct task { int pid; char comm[16]; } init_task;\nint main(void) { return init_task.pid; }\n');
    assert.equal(spawnSync('gcc', ['-g', '-o', join(pkgRoot, 'usr/lib/debug/boot/vmlinux-9.9.9-test'), join(dir, 'k.c')]).status, 0);
    const deb = join(dir, 'linux-image-9.9.9-test-dbg_1_amd64.deb');
    assert.equal(spawnSync('dpkg-deb', ['--build', '--root-owner-group', pkgRoot, deb]).status, 0);
    const body = readFileSync(deb);
    server.on('request', (_req, res) => { res.writeHead(200, { 'content-length': body.length }); res.end(body); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${basename(deb)}`;
    const sha256 = createHash('sha256').update(body).digest('hex');
    const cache = join(dir, 'cache');
    const said: string[] = [];

    await assert.rejects(ensureDebugVmlinux({ url, file: basename(deb), size: body.length, sha256: '0'.repeat(64) }, '9.9.9-test', (l) => said.push(l), cache), /does not match/);
    assert.deepEqual(readdirSync(cache), [], 'nothing cached from a download that failed its checksum');

    const got = await ensureDebugVmlinux({ url, file: basename(deb), size: body.length, sha256 }, '9.9.9-test', (l) => said.push(l), cache);
    assert.equal(got, join(cache, 'linux-image-9.9.9-test-dbg_1_amd64', 'vmlinux-9.9.9-test'));
    assert.ok(statSync(got).size > 0);
    if (spawnSync('sh', ['-c', 'command -v gdb-add-index']).status === 0) {
      assert.match(spawnSync('readelf', ['-S', got], { encoding: 'utf8' }).stdout, /\.gdb_index/, 'indexed for a fast crash start');
    }
    assert.deepEqual(readdirSync(cache), ['linux-image-9.9.9-test-dbg_1_amd64'], 'no extraction folder left behind');
    assert.ok(said.some((l) => /streaming .* extracting only \.\/usr\/lib\/debug\/boot\/vmlinux-9\.9\.9-test/.test(l)), said.join('\n'));
    said.length = 0;
    assert.equal(await ensureDebugVmlinux({ url: 'http://127.0.0.1:1/none', file: basename(deb), size: 1, sha256 }, '9.9.9-test', (l) => said.push(l), cache), got);
    assert.match(said.join('\n'), /cached/, 'the second time: from the cache, no download');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
