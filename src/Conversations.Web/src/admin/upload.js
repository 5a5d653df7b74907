// Uploads documents with XMLHttpRequest, because fetch cannot report upload progress. Two phases feed one bar: the
// bytes sent (XHR upload progress), then the server's own progress, which it streams as NDJSON lines (documents
// done, chunks embedded) while it chunks and embeds.
import { session } from '../shared/session.js';
import { ApiError } from '../shared/api.js';

/**
 * Posts `files` under `label`; `onProgress({ phase, fraction, sent, total, documentsDone, documentsTotal,
 * chunksEmbedded, chunksTotal })` is called as it goes. Resolves to the per-document results; rejects with an ApiError.
 */
export function uploadDocuments(files, label, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('label', label);
    for (const f of files) form.append('file', f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/knowledge/documents');
    xhr.setRequestHeader('Authorization', `Bearer ${session.key}`);
    xhr.setRequestHeader('Accept', 'application/x-ndjson');
    let read = 0;
    const results = [];
    let last = null;
    let failed = null;

    xhr.upload.onprogress = e => {
      if (!e.lengthComputable) return;
      onProgress({ phase: 'upload', fraction: 0.5 * e.loaded / e.total, sent: e.loaded, total: e.total });
    };
    // The body arrives line by line while the server works; read the lines that are complete so far.
    const readLines = () => {
      if (xhr.status !== 200) return;
      const text = xhr.responseText;
      let end;
      while ((end = text.indexOf('\n', read)) >= 0) {
        const line = text.slice(read, end).trim();
        read = end + 1;
        if (!line) continue;
        const p = JSON.parse(line);
        // The server stopped part-way after the stream began: its last line is a problem, not progress.
        if (p.error) { failed = p.error; continue; }
        last = p;
        if (p.document) results.push(p.document);
        const work = p.chunksTotal > 0 ? p.chunksEmbedded / p.chunksTotal : p.documentsTotal ? p.documentsDone / p.documentsTotal : 1;
        onProgress({ phase: 'index', fraction: 0.5 + 0.5 * Math.min(1, work), ...p });
      }
    };
    xhr.onprogress = readLines;
    xhr.onerror = () => reject(new ApiError(0, 'offline', null, null));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        readLines();
        if (failed) {
          reject(new ApiError(failed.status ?? 503, failed.title, failed.detail, { ...failed, documents: results }));
          return;
        }
        onProgress({ phase: 'done', fraction: 1, ...(last ?? {}) });
        resolve(results);
        return;
      }
      let problem = null;
      try { problem = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      reject(new ApiError(xhr.status, problem?.title, problem?.detail, problem));
    };
    xhr.send(form);
  });
}
