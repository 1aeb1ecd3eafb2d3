// A QR code drawn as SVG by Preact from the symbol's modules (the qrcode package's encoder, no canvas):
// sharp at any size, printable, and nothing fetched. The kiosk shows a trainee's one-time rating link
// with it; the text is also written under it, so a phone without a QR reader can still type it.
import { create } from 'qrcode';

export function QrCode({ text, size = 220, label, testid }: { text: string; size?: number; label: string; testid?: string }) {
  // Level M: about 15 % may be lost (a scratched or glare-struck screen) and a link of ~80 characters
  // still fits a symbol a phone reads from an arm's length.
  const m = create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4;
  const n = m.size + quiet * 2;
  let d = '';
  for (let y = 0; y < m.size; y++) for (let x = 0; x < m.size; x++) if (m.get(y, x)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={label}
      data-testid={testid}
      data-text={text}
      width={size}
      height={size}
      viewBox={`0 0 ${n} ${n}`}
      shape-rendering="crispEdges"
    >
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
