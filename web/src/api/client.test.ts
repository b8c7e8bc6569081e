import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from './client';

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const created = { id: 't1', title: 'T', client_request_id: 'req-1' };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('creating a task', () => {
  it('sends the client request id', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => answer(201, created));
    vi.stubGlobal('fetch', fetch);
    await api.createTask('p1', { title: 'T', client_request_id: 'req-1' });
    expect(fetch).toHaveBeenCalledTimes(1);
    const init = fetch.mock.calls[0]![1] as RequestInit;
    expect(JSON.parse(init.body as string)).toEqual({ title: 'T', client_request_id: 'req-1' });
  });

  it('resends without it to a server that does not know the field, and stops sending it', async () => {
    const fetch = vi
      .fn<(url: string, init: RequestInit) => Promise<Response>>()
      .mockResolvedValueOnce(
        answer(422, { type: 'urn:collabdev:problem:validation', title: 'Invalid', status: 422, errors: [{ field: 'client_request_id', message: 'is not a known field' }] }),
      )
      .mockImplementation(async () => answer(201, created));
    vi.stubGlobal('fetch', fetch);
    const task = await api.createTask('p1', { title: 'T', client_request_id: 'req-2' });
    expect(task.id).toBe('t1');
    expect(JSON.parse(fetch.mock.calls[1]![1].body as string)).toEqual({ title: 'T' });
    await api.createTask('p1', { title: 'U', client_request_id: 'req-3' });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(JSON.parse(fetch.mock.calls[2]![1].body as string)).toEqual({ title: 'U' });
  });

  it('reports any other refusal', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(422, { title: 'Invalid', status: 422, errors: [{ field: 'title', message: 'is required' }] })));
    await expect(api.createTask('p1', { title: '' })).rejects.toMatchObject({ status: 422 });
  });
});

describe('Retry-After', async () => {
  const { retryAfterSeconds, waitInWords } = await import('./client');
  it('reads seconds and dates, and words the wait', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
    expect(retryAfterSeconds(new Date(90_000).toUTCString(), 0)).toBe(90);
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(45)).toBe('45 seconds');
    expect(waitInWords(61)).toBe('about 2 minutes');
  });
});
