// Whether the camera preview is too dark to find a face in: the server's quality hints cover blur and
// pose, not an unlit face, so the kiosk looks at the brightness itself and words the hint "too dark".
let probe: HTMLCanvasElement | null = null;

/** Mean brightness of a 32×24 thumbnail of the preview (video.preview) below 45 of 255. */
export function previewIsDark(): boolean {
  const v = document.querySelector<HTMLVideoElement>('video.preview');
  if (!v || v.readyState < 2) return false;
  const c = (probe ??= document.createElement('canvas'));
  c.width = 32;
  c.height = 24;
  const g = c.getContext('2d', { willReadFrequently: true });
  if (!g) return false;
  g.drawImage(v, 0, 0, 32, 24);
  const d = g.getImageData(0, 0, 32, 24).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
  return sum / (d.length / 4) < 45;
}
