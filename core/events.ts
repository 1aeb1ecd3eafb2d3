// The typed event bus: how one module hears about another without importing it.
// Every domain event is declared here, so a listener's payload is checked at compile time.

export interface EventMap {
  'user.login': { username: string; ok: boolean; ip: string };
  'user.locked': { username: string; until: number };
  'device.pairing': { pairingId: string; kind: DeviceKind; code: string; claimedId: string | null };
  'device.paired': { deviceId: string; kind: DeviceKind };
  'device.revoked': { deviceId: string; kind: DeviceKind };
  'device.online': { deviceId: string; kind: DeviceKind };
  'device.offline': { deviceId: string; kind: DeviceKind; since: number };
  'audit.appended': { seq: number; action: string };
  // Exam plans and sessions (exam/plans): what the kiosk, terminals and proctor console react to.
  'session.status': { sessionId: string; roomId: string; from: string; to: string };
  'roster.imported': { sessionId: string; added: number; total: number };
  'seats.assigned': { sessionId: string; roomId: string; seated: number };
  'seat.changed': { sessionId: string; roomId: string; idNumber: string; from: string | null; to: string };
  'papers.generated': { sessionId: string; papers: number; bankVersion: string; replaced: number };
  'result.graded': { sessionId: string; idNumber: string; attempt: number; score: number; passed: boolean };
  'system.stopping': { reason: string };
}

export type DeviceKind = 'kiosk' | 'terminal';
export type EventName = keyof EventMap;
export type Listener<K extends EventName> = (payload: EventMap[K]) => void;

export interface EventBus {
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
  emit<K extends EventName>(name: K, payload: EventMap[K]): void;
}

/**
 * Listeners run synchronously in registration order. A throwing listener is reported and skipped:
 * one module's bug must never stop another module from hearing an event.
 */
export function createEventBus(onListenerError: (name: string, err: unknown) => void = () => {}): EventBus {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const l of [...set]) {
        try {
          l(payload);
        } catch (err) {
          onListenerError(name, err);
        }
      }
    },
  };
}
