// The ID number typed on the idle screen: the on-screen keypad, a physical keyboard, or a USB ID scanner
// that types (a keyboard wedge: 18 digits and Enter in ≈ 50 ms). Only a well-formed number with a valid
// check character is looked up (id-number.ts).
import type { Store } from '../../../web/store.ts';
import { idNumberValid } from './id-number.ts';
import type { State } from './state.ts';

/** What the keypad needs of the controller (controller.ts). */
export interface KeypadHost {
  readonly store: Store<State>;
  /** The words for a number whose check character is wrong, in the screen's language. */
  invalid(): string;
  /** Looks the typed number up. */
  submit(idNumber: string): void;
  /** A lookup waiting on a lost network is abandoned: nothing is decided before the server answers. */
  abandonLookup(): void;
}

export class Keypad {
  constructor(private readonly host: KeypadHost) {}

  press(key: string): void {
    const { store } = this.host;
    const s = store.get();
    if (s.screen === 'looking' && key === 'clear') return this.host.abandonLookup();
    if (s.screen !== 'idle') return;
    if (key === 'back') return store.set({ typed: s.typed.slice(0, -1), typedError: null });
    if (key === 'clear') return store.set({ typed: '', typedError: null });
    if (key === 'ok') return this.submitTyped();
    if (!/^[0-9X]$/.test(key) || s.typed.length >= 18) return;
    // X is only ever the check character, the 18th.
    if (key === 'X' && s.typed.length !== 17) return;
    store.set({ typed: s.typed + key, typedError: null });
  }

  /**
   * A physical keyboard or a typing scanner, listened to for the kiosk's whole life. The idle screen used to
   * attach the listener when it mounted, which is after the screen change has been painted: a scan begun as
   * the screen changed lost its first keys. Keys count on the idle screen (and Escape while looking), like
   * the keypad's; on every other screen they go to whatever has focus (the staff dialog's fields, the rating
   * comment), untouched.
   */
  listen(target: Window): () => void {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const screen = this.host.store.get().screen;
      if (screen !== 'idle' && screen !== 'looking') return;
      if (e.key === 'Backspace') this.press('back');
      else if (e.key === 'Enter') this.press('ok');
      else if (e.key === 'Escape') this.press('clear');
      else if (e.key.length === 1) this.typeText(e.key);
      else return;
      e.preventDefault();
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }

  /** From a physical keyboard or a USB barcode/ID scanner that types. */
  private typeText(text: string): void {
    for (const ch of text.normalize('NFKC').toUpperCase()) {
      if (ch === '\n' || ch === '\r') this.press('ok');
      else this.press(ch);
    }
  }

  private submitTyped(): void {
    const id = this.host.store.get().typed;
    if (id.length !== 18) return;
    if (!idNumberValid(id)) return this.host.store.set({ typedError: this.host.invalid() });
    this.host.submit(id);
  }
}
