import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClientError, caller, newestFirst, sessionApi, workshopApi, type FetchLike, type RequestLike } from './api-client.ts';
import { API_ERROR_STATUS, apiErrorOf } from './errors.ts';
import type { WorkshopInfo } from './workshop.ts';

function fakeFetch(status: number, body: string, seen: Array<{ url: string; init: RequestLike }> = []): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    return { status, ok: status >= 200 && status < 300, text: async () => body };
  };
}

const connect = (fetch: FetchLike, token: string | null = 't0k') =>
  caller({ baseUrl: 'http://127.0.0.1:7171', fetch, token: () => token, unreachable: (d) => `runner down (${d}); run npm start` });

test('a call sends the path, the bearer token and a JSON body, and returns the JSON reply', async () => {
  const seen: Array<{ url: string; init: RequestLike }> = [];
  const api = sessionApi(connect(fakeFetch(200, '{"passed":true,"message":"ok"}', seen)));
  const r = await api.answer('s-aaaaaaaaaaaaaaaaaaaa', 'find-syscall', 'write');
  assert.equal(r.passed, true);
  assert.equal(seen[0]!.url, 'http://127.0.0.1:7171/api/sessions/s-aaaaaaaaaaaaaaaaaaaa/tasks/find-syscall/answer');
  assert.equal(seen[0]!.init.method, 'POST');
  assert.equal(seen[0]!.init.headers.authorization, 'Bearer t0k');
  assert.equal(seen[0]!.init.headers['content-type'], 'application/json');
  assert.equal(seen[0]!.init.body, '{"answer":"write","lang":"en"}');
});

test("the runner's error reply becomes an ApiClientError with its code, message and status", async () => {
  const api = sessionApi(connect(fakeFetch(409, '{"error":{"code":"conflict","message":"you already run lab x"}}')));
  await assert.rejects(api.start('x'), (e: unknown) => e instanceof ApiClientError && e.code === 'conflict' && e.status === 409 && e.message === 'you already run lab x');
});

test('a reply that is not JSON is named with its status and first bytes, never a crash', async () => {
  const html = `<html><body>${'x'.repeat(500)}</body></html>`;
  const api = sessionApi(connect(fakeFetch(200, html)));
  await assert.rejects(api.list(), (e: unknown) => e instanceof ApiClientError && e.code === 'bad-response'
    && /GET \/api\/sessions: HTTP 200 but the reply is not JSON \(it starts "<html><body>x+…"\)/.test(e.message));
  const proxy = sessionApi(connect(fakeFetch(502, 'Bad Gateway')));
  await assert.rejects(proxy.list(), (e: unknown) => e instanceof ApiClientError && e.code === 'bad-response' && e.status === 502
    && /HTTP 502 and not the runner's error reply \(it starts "Bad Gateway"\)/.test(e.message));
  const empty = sessionApi(connect(fakeFetch(500, '')));
  await assert.rejects(empty.list(), /an empty body/);
});

test('a runner that does not answer is "unreachable" with the adapter\'s advice', async () => {
  const refused: FetchLike = async () => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }); };
  await assert.rejects(sessionApi(connect(refused)).list(), (e: unknown) => e instanceof ApiClientError && e.code === 'unreachable' && e.status === 0
    && e.message === 'runner down (ECONNREFUSED); run npm start');
});

test('a text reply (CSV) is returned as text; its errors are still typed', async () => {
  const seen: Array<{ url: string; init: RequestLike }> = [];
  assert.equal(await workshopApi(connect(fakeFetch(200, 'a,b\r\n1,2\r\n', seen))).gradesFile('w-aaaaaaaaaaaa', 'csv'), 'a,b\r\n1,2\r\n');
  assert.equal(seen[0]!.url, 'http://127.0.0.1:7171/api/workshops/w-aaaaaaaaaaaa/grades?format=csv');
  await assert.rejects(workshopApi(connect(fakeFetch(403, '{"error":{"code":"forbidden","message":"for the instructor"}}'))).gradesFile('w-x', 'csv'),
    (e: unknown) => e instanceof ApiClientError && e.code === 'forbidden');
});

test('no token, no Authorization header', async () => {
  const seen: Array<{ url: string; init: RequestLike }> = [];
  await sessionApi(connect(fakeFetch(200, '{"sessions":[]}', seen), null)).list();
  assert.equal(seen[0]!.init.headers.authorization, undefined);
});

test('each error code has one status; the former mismatches are their own codes', () => {
  assert.equal(API_ERROR_STATUS['bad-request'], 400);
  assert.equal(API_ERROR_STATUS['payload-too-large'], 413);
  assert.equal(API_ERROR_STATUS['unsupported-media-type'], 415);
  assert.equal(API_ERROR_STATUS['method-not-allowed'], 405);
  assert.deepEqual(apiErrorOf({ error: { code: 'gone', message: 'ended' } }), { code: 'gone', message: 'ended' });
  assert.equal(apiErrorOf({ error: { code: 'no-such-code', message: 'x' } }), null);
  assert.equal(apiErrorOf('text'), null);
});

test('workshops list newest first', () => {
  const w = (id: string, createdAt: string) => ({ id, createdAt }) as WorkshopInfo;
  assert.deepEqual(newestFirst([w('old', '2025-01-01T09:00:00.000Z'), w('new', '2025-01-02T09:00:00.000Z'), w('mid', '2025-01-01T12:00:00.000Z')]).map((x) => x.id), ['new', 'mid', 'old']);
});
