// test-budget: 10m
// Pictures of the learner's own data through the real runner and a real
// cpu-hotspot lab in Docker: hostile spool files, a ktrace charts picture, a
// profile button, a learner's own perf.data, and a latency log read per second.
// The lab is a copy with a `timeline` declaration added, so the timeline is
// read from a real file through the real backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { ApiClientError, caller, sessionApi } from '../runner/src/common/api-client.ts';
import { PICTURE_SPOOL_DIR, type FlamePicture, type Picture, type PictureListResponse, type PictureMadeResponse, type TimelineResponse } from '../runner/src/common/pictures.ts';

const LOG = '/var/log/kdtest/latency.log';

let r: TestRunner;
let labsDir = '';
let sid = '';
let token = '';
let run: (cmd: string, timeoutMs?: number) => Promise<{ code: number; out: string; err: string }>;
const api = (method: string, path: string, body?: unknown) =>
  r.call(method, `/api/sessions/${sid}${path}`, { headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { body } : {}) });

before(async () => {
  labsDir = mkdtempSync(join(tmpdir(), 'kdlabs-pictures-labs-'));
  cpSync(join(LABS_DIR, 'cpu-hotspot'), join(labsDir, 'cpu-hotspot'), { recursive: true });
  const yaml = join(labsDir, 'cpu-hotspot', 'lab.yaml');
  writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}\ntimeline:\n  title: Test latency\n  log: ${LOG}\n  ok: "200"\n  slowAbove: 500\n`);
  // A timeline's title is read by learners: its Korean goes in lab.ko.yaml, or the lab does not load.
  const koYaml = join(labsDir, 'cpu-hotspot', 'lab.ko.yaml');
  writeFileSync(koYaml, `${readFileSync(koYaml, 'utf8')}\ntimeline:\n  title: 테스트 지연\n`);
  r = await startTestRunner({ labsDir });
  const started = await r.startLab('cpu-hotspot');
  sid = started.session.id;
  token = started.token;
  const session = r.manager.get(sid)!;
  run = async (cmd, timeoutMs = 60_000) => {
    const x = await session.execScript(cmd, timeoutMs);
    if (!x.ok) throw new Error(x.error.message);
    return { code: x.value.exitCode, out: x.value.stdout, err: x.value.stderr };
  };
});
after(async () => {
  await r?.dispose();
  rmSync(labsDir, { recursive: true, force: true });
});

test('the lab page learns that this lab has a latency plot', async () => {
  const lab = await r.call('GET', '/api/labs/cpu-hotspot');
  assert.deepEqual(lab.json.timeline, { title: 'Test latency', slowAbove: 500 });
  assert.doesNotMatch(JSON.stringify(lab.json), /kdtest/, 'the log path stays on the runner');
});

test('hostile spool files: the list stays up and leaves them out; each read says what is wrong', async () => {
  const w = await run(`mkdir -p ${PICTURE_SPOOL_DIR} && cd ${PICTURE_SPOOL_DIR}
printf '{"kind":"flame",' > flame-1764650001000-bad-json.json
printf '{"kind":"charts","title":"x","createdAt":1,"command":"","mode":"BAD MODE","charts":[]}' > charts-1764650002000-wrong.json
head -c 5000000 /dev/zero | tr '\\0' ' ' > flame-1764650003000-huge.json
printf '{"kind":"flame","title":"sneaky","createdAt":1,"command":"","stacks":[["a",1]]}' > sneaky.json
ln -sf /etc/shadow flame-1764650004000-link.json
ls`);
  assert.equal(w.code, 0, w.err);
  const list = await api('GET', '/pictures');
  assert.equal(list.status, 200, JSON.stringify(list.json));
  const names = (list.json as PictureListResponse).pictures.map((p) => p.name);
  for (const bad of ['bad-json', 'wrong', 'huge', 'sneaky', 'link']) assert.ok(!names.some((n) => n.includes(bad)), `${bad} is not listed: ${names.join(', ')}`);

  const expect = async (name: string, status: number, message: RegExp) => {
    const g = await api('GET', `/pictures/${encodeURIComponent(name)}`);
    assert.equal(g.status, status, `${name}: ${JSON.stringify(g.json)}`);
    assert.match(g.json.error.message, message);
  };
  await expect('flame-1764650001000-bad-json.json', 400, /not a valid picture: it is not JSON/);
  await expect('charts-1764650002000-wrong.json', 400, /does not match the picture format: .*mode/);
  await expect('flame-1764650003000-huge.json', 413, /5000000 bytes; the runner reads at most/);
  await expect('flame-1764650004000-link.json', 404, /no picture/);
  await expect('sneaky.json', 400, /is not a picture name/);
  await expect('../../../etc/passwd', 400, /is not a picture name/);
  await expect('flame-1764650009000-none.json', 404, /no picture flame-1764650009000-none\.json/);
  // Without the token nothing is read.
  const anon = await r.call('GET', `/api/sessions/${sid}/pictures`, { headers: { authorization: '' } });
  assert.equal(anon.status, 401);
  await run(`rm -f ${PICTURE_SPOOL_DIR}/*bad-json* ${PICTURE_SPOOL_DIR}/*wrong* ${PICTURE_SPOOL_DIR}/*huge* ${PICTURE_SPOOL_DIR}/*link* ${PICTURE_SPOOL_DIR}/sneaky.json`);
});

test('ktrace --json saves a charts picture the API lists and serves', async () => {
  const k = await run('ktrace syscalls --json --duration 2 >/dev/null', 90_000);
  assert.equal(k.code, 0, k.err);
  const saved = /ktrace: picture saved: (\S+)/.exec(k.err);
  assert.ok(saved, `ktrace announced its picture: ${k.err}`);
  const name = saved[1]!.split('/').pop()!;
  const list = await api('GET', '/pictures');
  assert.equal(list.status, 200);
  const summary = (list.json as PictureListResponse).pictures.find((p) => p.name === name);
  assert.ok(summary, `listed: ${JSON.stringify(list.json)}`);
  assert.equal(summary.kind, 'charts');
  const got = await api('GET', `/pictures/${name}`);
  assert.equal(got.status, 200, JSON.stringify(got.json));
  const p = got.json as Picture;
  assert.ok(p.kind === 'charts' && p.mode === 'syscalls' && p.charts.length > 0, JSON.stringify(p).slice(0, 300));
});

test('the Profile button records the lab and answers with a flame picture of the service', async () => {
  // Two presses at once: one records, the other is refused (not queued) — whichever arrives second.
  const both = await Promise.all([api('POST', '/pictures/profile', { seconds: 3 }), api('POST', '/pictures/profile', { seconds: 3 })]);
  assert.deepEqual(both.map((b) => b.status).sort(), [201, 409], JSON.stringify(both.map((b) => b.json)));
  const refused = both.find((b) => b.status === 409)!;
  assert.match(refused.json.error.message, /profile is being made/);
  const made = both.find((b) => b.status === 201)!;
  const summary = (made.json as PictureMadeResponse).picture;
  assert.equal(summary.kind, 'flame');
  assert.match(summary.title, /Profile of the lab, 3 s/);
  const got = await api('GET', `/pictures/${summary.name}`);
  assert.equal(got.status, 200);
  const stacks = (got.json as FlamePicture).stacks.map(([s]) => s).join('\n');
  assert.match(stacks, /ingestd/, 'the service is in the profile');
  assert.match(stacks, /build_\w+_table/, 'with its own function names');

  const bad = await api('POST', '/pictures/profile', { seconds: 3600 });
  assert.equal(bad.status, 400);
});

test('the learner\'s own perf.data becomes a flame picture; without one the error says what to run', async () => {
  await run('rm -f /root/perf.data');
  const none = await api('POST', '/pictures/perf-data');
  assert.equal(none.status, 404, JSON.stringify(none.json));
  assert.match(none.json.error.message, /\/root\/perf\.data.*perf record -g/);

  const rec = await run('perf record -F 99 -g -p "$(cat /run/ingestd.pid)" -o /root/perf.data -- sleep 3', 60_000);
  assert.equal(rec.code, 0, rec.err);
  const made = await api('POST', '/pictures/perf-data');
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const summary = (made.json as PictureMadeResponse).picture;
  assert.equal(summary.kind, 'flame');
  const got = await api('GET', `/pictures/${summary.name}`);
  const stacks = (got.json as FlamePicture).stacks.map(([s]) => s).join('\n');
  assert.match(stacks, /build_\w+_table/);
});

test('the latency log is read from the lab and drawn per second', async () => {
  const empty = await api('GET', '/timeline');
  assert.equal(empty.status, 200, JSON.stringify(empty.json));
  assert.deepEqual(empty.json, { title: 'Test latency', unit: 'ms', slowAbove: 500, points: [] });

  // Answers are kept for a second (viewers polling share one read): let that one expire.
  await new Promise((res) => setTimeout(res, 1100));
  // Three seconds of requests, written into the log inside the lab.
  const w = await run(`mkdir -p ${LOG.replace(/\/[^/]+$/, '')}
now=$(( $(date +%s) * 1000 - 10000 ))
{
  for i in 0 1 2 3; do echo "$((now + i * 100)) $((10 + i)).0 200"; done
  echo "$((now + 500)) 2000.0 ERR"
  echo "$((now + 1000)) 5.0 200"
  echo "$((now + 2000)) 700.5 200"
} > ${LOG}
echo $now`);
  assert.equal(w.code, 0, w.err);
  const t0 = Math.floor(Number(w.out.trim()) / 1000) * 1000;
  const tl = await api('GET', '/timeline');
  assert.equal(tl.status, 200);
  const body = tl.json as TimelineResponse;
  assert.deepEqual(body.points, [
    { t: t0, n: 5, p50: 12, max: 2000, errors: 1 },
    { t: t0 + 1000, n: 1, p50: 5, max: 5, errors: 0 },
    { t: t0 + 2000, n: 1, p50: 700.5, max: 700.5, errors: 0 },
  ]);
  const since = await api('GET', `/timeline?since=${t0 + 1500}`);
  assert.deepEqual((since.json as TimelineResponse).points.map((p) => p.t), [t0 + 2000]);
  const bad = await api('GET', '/timeline?since=yesterday');
  assert.equal(bad.status, 400);
});

test('the shared API client reaches the same routes (what the page calls)', async () => {
  const client = sessionApi(caller({ baseUrl: r.url, fetch: (url, init) => fetch(url, init), token: () => token, unreachable: (d) => `runner down: ${d}` }));
  const list = await client.pictures(sid);
  assert.ok(list.pictures.length >= 3, `charts, profile and perf.data pictures: ${JSON.stringify(list)}`);
  assert.deepEqual(list.pictures.map((p) => p.createdAt), [...list.pictures.map((p) => p.createdAt)].sort((a, b) => b - a), 'newest first');
  const first = await client.picture(sid, list.pictures[0]!.name);
  assert.equal(first.title, list.pictures[0]!.title);
  const tl = await client.timeline(sid, 0);
  assert.equal(tl.points.length, 3);
  await assert.rejects(client.picture(sid, 'nope.json'), (e: unknown) => e instanceof ApiClientError && e.code === 'bad-request' && e.status === 400);
});

test('a stopped lab has no pictures to read', async () => {
  await api('DELETE', '');
  const gone = await api('GET', '/pictures');
  assert.ok(gone.status === 404 || gone.status === 409, `${gone.status} ${JSON.stringify(gone.json)}`);
});
