// The staff override: a member of staff checks the ID card and the person by eye and admits them (or, in
// training, signs them in) with their own account and a reason — from every screen that has an attempt,
// so the entrance never gets stuck. While the dialog is open nothing returns to idle by itself and the face
// guide pauses: staff take their time, and a challenge drawn while they type would only race their decision.
import { HttpError, NetworkError } from '../../../web/http.ts';
import type { Store } from '../../../web/store.ts';
import { override, type OverrideReply, type TrainingSigned } from './api.ts';
import { STRINGS } from './i18n.ts';
import type { Attempt, State } from './state.ts';
import { TRAINING_STRINGS } from './training-words.ts';

const ADMITTED_RETURN_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the override needs of the controller (controller.ts). */
export interface OverrideHost {
  readonly store: Store<State>;
  /** The current flow; a late answer for an abandoned one is dropped. */
  flow(): number;
  /** Stops the auto-return and pauses the face guide while staff type. */
  pause(): void;
  /** Back to the face guide with a fresh wait, or to the refusal with its countdown. */
  resume(): void;
  returnLater(ms: number): void;
  /** A trainee signed in by staff: the training mode's own result screen. */
  showSigned(attempt: Attempt, r: TrainingSigned): void;
}

export class StaffOverride {
  constructor(private readonly host: OverrideHost) {}

  /** From every screen that has an attempt: the face guide, the challenge, comparing, a refusal, a declined notice. */
  open(): void {
    const s = this.host.store.get();
    if ((s.screen !== 'failed' && s.screen !== 'capture' && s.screen !== 'declined') || !s.attempt) return;
    this.host.pause();
    this.host.store.set({ overrideOpen: true, overrideError: null, returnAt: null });
  }

  close(): void {
    this.host.store.set({ overrideOpen: false, overrideError: null });
    this.host.resume();
  }

  clearError(): void {
    this.host.store.set({ overrideError: null });
  }

  async submit(form: { username: string; password: string; reason: string }): Promise<void> {
    const { store } = this.host;
    const s = store.get();
    const attempt = s.attempt;
    if (!attempt || s.overrideBusy) return;
    const t = STRINGS[s.lang];
    if (!form.username.trim() || !form.password || form.reason.trim().length < 4) return;
    store.set({ overrideBusy: true, overrideError: null });
    const flow = this.host.flow();
    for (let delay = 1_000; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const r = await override(attempt.attemptId, { username: form.username.trim(), password: form.password, reason: form.reason.trim() });
        if (flow !== this.host.flow()) return;
        if (r.decision !== 'admitted') {
          store.set({ offline: false, overrideBusy: false });
          return void this.host.showSigned(attempt, r as TrainingSigned);
        }
        const a = r as OverrideReply;
        store.set({
          offline: false,
          overrideBusy: false,
          overrideOpen: false,
          screen: 'admitted',
          admitted: { name: attempt.candidate.name, seat: a.seat, roomName: a.roomName, by: a.by },
        });
        return this.host.returnLater(ADMITTED_RETURN_MS);
      } catch (err) {
        if (flow !== this.host.flow()) return;
        if (err instanceof NetworkError) {
          store.set({ offline: true });
          await sleep(delay);
          continue;
        }
        const words = attempt.training ? TRAINING_STRINGS[store.get().lang].staffErrors : t.overrideErrors;
        const msg = err instanceof HttpError ? (words[err.status] ?? t.serverError(err.message)) : String(err);
        store.set({ overrideBusy: false, overrideError: msg, offline: false });
        return;
      }
    }
  }
}
