// The bank page's calls: versions, sync state, search, retire, image upload and the import job.
// Files go up as the request body itself (the bank routes read the bytes by the file name's extension).
import { HttpError, NetworkError, call } from '../../../../../web/http.ts';
import type { JobView } from '../../../../../web/job.ts';
import type { BankSyncView, BankVersionView, QuestionPageView, UploadedImageView } from '../../../../../exam/protocol.ts';

const enc = encodeURIComponent;

/** POSTs a file as the body; errors as call() makes them (the server's `{ error, message }`). */
async function sendFile<T>(url: string, file: Blob): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream' }, body: file });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  const data = (await res.json().catch(() => null)) as { error?: string; message?: string; params?: Record<string, string | number> } | null;
  if (!res.ok) {
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new NetworkError(`HTTP ${res.status}`);
    throw new HttpError(res.status, data?.error ?? 'error', data?.message ?? `HTTP ${res.status}`, data?.params ?? {});
  }
  return data as T;
}

export interface QuestionFilter {
  q?: string;
  type?: string;
  knowledgePoint?: string;
  difficulty?: string;
  version?: string;
  includeRetired?: boolean;
}

export const PAGE_SIZE = 20;

export const bankApi = {
  versions: () => call<BankVersionView[]>('GET', '/api/bank/versions'),
  sync: () => call<BankSyncView>('GET', '/api/bank/sync'),
  syncNow: () => call<{ status: string; version: string | null }>('POST', '/api/bank/sync'),
  questions(f: QuestionFilter, page: number) {
    const p = new URLSearchParams();
    for (const k of ['q', 'type', 'knowledgePoint', 'difficulty', 'version'] as const) if (f[k]) p.set(k, f[k]!);
    if (f.includeRetired) p.set('includeRetired', 'true');
    p.set('limit', String(PAGE_SIZE));
    p.set('offset', String(page * PAGE_SIZE));
    return call<QuestionPageView>('GET', `/api/bank/questions?${p}`);
  },
  retire: (id: string) => call<unknown>('POST', `/api/bank/questions/${enc(id)}/retire`),
  uploadImage: (name: string, file: Blob) => sendFile<UploadedImageView>(`/api/bank/images?name=${enc(name)}`, file),
  startImport: (file: File) => sendFile<JobView>(`/api/bank/imports?filename=${enc(file.name)}`, file),
  imageUrl: (id: string) => `/api/bank/images/${enc(id)}`,
};
