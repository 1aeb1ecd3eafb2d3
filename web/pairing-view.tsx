// The body of the pairing screen, kiosk and terminal alike: the code big (two groups of three), the
// device id it was asked for, and what the administrator decided. Each app frames it (its own card
// and title) and gives the words, which name the kind of device.
import type { PairingState } from './pairing.ts';
import './pairing.css';
import './spinner.css';

export interface PairingLabels {
  pairingIntro: string;
  pairingRequesting: string;
  pairingDevice: (id: string) => string;
  pairingNoDevice: string;
  pairingWaiting: string;
  pairingApproved: string;
  pairingRejected: string;
  pairingFailed: (why: string) => string;
  pairingAgain: string;
}

export function PairingPanel({
  pairing: pr,
  t,
  onAgain,
  buttonClass = 'primary',
}: {
  pairing: PairingState | null;
  t: PairingLabels;
  onAgain: () => void;
  buttonClass?: string;
}) {
  const code = pr?.code ?? '';
  return (
    <>
      <p class="lead">{t.pairingIntro}</p>
      {pr?.status === 'requesting' ? <p class="muted">{t.pairingRequesting}</p> : null}
      {code ? (
        <p class="pair-code" data-testid="pairing-code" aria-label={code.split('').join(' ')}>
          <span>{code.slice(0, 3)}</span>
          <span>{code.slice(3)}</span>
        </p>
      ) : null}
      <p class="muted">{pr?.deviceId ? t.pairingDevice(pr.deviceId) : t.pairingNoDevice}</p>
      {pr?.status === 'waiting' ? (
        <p class="status" role="status">
          <span class="spinner small" aria-hidden="true" /> {t.pairingWaiting}
        </p>
      ) : null}
      {pr?.status === 'approved' ? <p class="status ok">{t.pairingApproved}</p> : null}
      {pr?.status === 'rejected' || pr?.status === 'failed' ? (
        <div role="alert">
          <p class="error">{pr.status === 'rejected' ? t.pairingRejected : t.pairingFailed(pr.error ?? '')}</p>
          <button type="button" class={buttonClass} onClick={onAgain}>
            {t.pairingAgain}
          </button>
        </div>
      ) : null}
    </>
  );
}
