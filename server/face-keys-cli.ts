// `examroom keys face-status | rotate-face | prune-face [reseal]`: the face key's life (storage/face-vault.ts).
// Rotation makes a new key for new data and keeps the old ones, wrapped by it, while data under them remains;
// pruning drops the old keys no object needs any more. Each change is audited; no key ever reaches the output.
import { dataPaths, faceDataUsage, pruneFaceKeys, readFaceKeyRing, rotateFaceKey } from '../storage/index.ts';
import type { TlsCliContext } from './tls/cli.ts';

export const FACE_KEY_COMMANDS = ['face-status', 'rotate-face', 'prune-face'] as const;

export async function faceKeysCommand(sub: (typeof FACE_KEY_COMMANDS)[number], ctx: TlsCliContext): Promise<number> {
  const { config, db, out } = ctx;
  const paths = dataPaths(config.paths.data);
  const keysDir = config.paths.keys;
  if (sub === 'face-status') {
    const ring = readFaceKeyRing(keysDir);
    if (!ring) {
      out(`no face key yet in ${keysDir} (the server makes one on its first start)`);
      return 0;
    }
    const usage = faceDataUsage(paths, db);
    const count = (id: string) => usage.byKey[id] ?? 0;
    out(`current face key ${ring.current.id} (made ${new Date(ring.current.createdAt).toISOString()}): ${count(ring.current.id)} objects`);
    for (const r of ring.retired) out(`retired face key ${r.id} (retired ${new Date(r.retiredAt).toISOString()}): ${count(r.id)} objects`);
    const unknown = Object.keys(usage.byKey).filter((id) => id !== ring.current.id && !ring.retired.some((r) => r.id === id));
    if (unknown.length) out(`UNREADABLE: objects under keys this folder does not hold: ${unknown.map((id) => `${id} (${count(id)})`).join(', ')}`);
    if (usage.plainFiles || usage.plainBlobs) out(`plain (sealed at the next start): ${usage.plainFiles} files, ${usage.plainBlobs} descriptors`);
    return unknown.length ? 1 : 0;
  }
  if (sub === 'rotate-face') {
    const r = rotateFaceKey({ keysDir, paths, now: ctx.clock.now() });
    ctx.audit.append({ actor: ctx.actor, action: 'keys.face.rotate', target: r.to, detail: { from: r.from, to: r.to } });
    out(`new face key ${r.to}; the old one (${r.from}) is kept, wrapped by the new, while data sealed under it remains`);
    out(
      'restart the service (systemctl restart examroom) so new face data is sealed under the new key; then export a new key bundle (examroom keys export FILE)',
    );
    return 0;
  }
  const reseal = ctx.args[0] === 'reseal';
  const r = pruneFaceKeys({ keysDir, paths, db, reseal });
  ctx.audit.append({ actor: ctx.actor, action: 'keys.face.prune', target: null, detail: { resealed: r.resealed, dropped: r.dropped, kept: r.kept } });
  if (r.resealed) out(`sealed again under the current key: ${r.resealed.files} files, ${r.resealed.blobs} descriptors`);
  out(r.dropped.length ? `dropped retired face keys no data needs: ${r.dropped.join(', ')}` : 'no retired face key could be dropped');
  if (r.kept.length)
    out(`kept (data still sealed under them): ${r.kept.join(', ')}; \`examroom keys prune-face reseal\` (service stopped) moves that data to the current key`);
  if (r.dropped.length) out('export a new key bundle (examroom keys export FILE): older bundles still hold the dropped keys');
  return 0;
}
