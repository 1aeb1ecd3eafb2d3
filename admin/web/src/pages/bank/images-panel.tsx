// Upload question pictures under the name the question file's 图片 column gives; the ids the server
// answers are what the stored questions hold. The list is this visit's uploads (the bank has no
// picture index to browse: pictures are found through their questions).
import { useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import type { UploadedImageView } from '../../../../../exam/protocol.ts';
import { bankApi } from './api.ts';
import { bankWords } from './words.ts';

export function ImagesPanel({ lang }: { lang: Lang }) {
  const w = bankWords[lang];
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [uploaded, setUploaded] = useState<UploadedImageView[]>([]);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file || !name.trim()) return;
    setError(null);
    setBusy(true);
    try {
      const r = await bankApi.uploadImage(name.trim(), file);
      setUploaded((list) => [r, ...list.filter((x) => x.name !== r.name)]);
      (e.target as HTMLFormElement).reset();
      setFile(null);
      setName('');
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel bank-images" data-testid="bank-images">
      <h2>{w.imagesTitle}</h2>
      <p class="hint">{w.imagesHint}</p>
      <form class="inline" onSubmit={upload}>
        <label>
          {w.imageFile}
          <input
            type="file"
            name="image-file"
            accept="image/png,image/jpeg,image/gif,image/webp,image/bmp"
            required
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
              setFile(f);
              if (f && !name) setName(f.name);
            }}
          />
        </label>
        <label>
          {w.imageName}
          <input type="text" name="image-name" required maxLength={255} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" disabled={busy || !file || !name.trim()}>
          {w.imageUpload}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {uploaded.length ? (
        <table data-testid="uploaded-images">
          <thead>
            <tr>
              <th>{w.picture}</th>
              <th>{w.imageNameShort}</th>
              <th>{w.imageId}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {uploaded.map((u) => (
              <tr key={u.id}>
                <td>
                  <img class="thumb" src={bankApi.imageUrl(u.id)} alt={u.name} />
                </td>
                <td>
                  <code>{u.name}</code>
                </td>
                <td>
                  <code class="image-id">{u.id}</code>
                </td>
                <td class="nowrap">{w.imageStored(u.created)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
