// Before a tile opens a source's `h264` stream (an H.265 camera transcoded on the server, a capped number
// at once) it asks whether the server can: a refusal at the cap is said in words, with the cap and whether
// the camera has a sub-stream, instead of a socket refused again and again. Shared by the proctor
// console's enlarged tile (live-tile.tsx) and the /live/ page's tile shown alone.
import { useEffect, useState } from 'preact/hooks';

export interface TranscodeBusy {
  max: number;
  /** The camera has a sub-stream to watch meanwhile. */
  sub: boolean;
}

/**
 * While `wanted`, asks GET /api/live/sources/:id/h264 once. `checked` is null while asking, then
 * { busy: null } when the tile may open the stream, or { busy } at the cap; `retry` asks again.
 */
export function useTranscodeCheck(sourceId: string, wanted: boolean): { checked: { busy: TranscodeBusy | null } | null; retry: () => void } {
  const [check, setCheck] = useState<{ busy: TranscodeBusy | null } | null>(null);
  useEffect(() => {
    if (!wanted) setCheck(null);
  }, [wanted]);
  useEffect(() => {
    if (!wanted || check) return;
    let gone = false;
    void fetch(`/api/live/sources/${encodeURIComponent(sourceId)}/h264`, { credentials: 'same-origin' })
      .then(async (r) => {
        const body = (await r.json().catch(() => ({}))) as { error?: string; params?: { max?: number; sub?: number } };
        if (gone) return;
        const busy = r.status === 409 && body.error === 'hevc_transcodes_busy' ? { max: body.params?.max ?? 0, sub: !!body.params?.sub } : null;
        setCheck({ busy });
      })
      .catch(() => !gone && setCheck({ busy: null }));
    return () => {
      gone = true;
    };
  }, [sourceId, wanted, check]);
  return { checked: wanted ? check : null, retry: () => setCheck(null) };
}
