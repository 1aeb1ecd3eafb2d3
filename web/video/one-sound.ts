// One unmuted live tile per page (docs/media.md): unmuting a tile mutes whichever tile had the sound,
// so two sounds never play over each other and the server runs one sound encode per listener page.
// Shared by the proctor console's tiles and the /live/ page.
import { useEffect, useState } from 'preact/hooks';

const listening = new Set<(id: symbol) => void>();

/** Call `onMutedByOther` when another tile takes the sound; call the returned `takeSound` before unmuting this one. */
export function useOneUnmuted(onMutedByOther: () => void): () => void {
  const [me] = useState(() => Symbol('tile'));
  useEffect(() => {
    const other = (who: symbol) => {
      if (who !== me) onMutedByOther();
    };
    listening.add(other);
    return () => {
      listening.delete(other);
    };
  }, []);
  return () => {
    for (const fn of listening) fn(me);
  };
}
