// The people page: the appliance's users (add, role, rooms, jurisdiction, disable, unlock, reset the
// password) and the person file (一人一档) by ID number.
import type { PageProps } from '../page-props.ts';
import { PersonFilePanel } from './person-file.tsx';
import { UsersPanel } from './users.tsx';
import './styles.css';

export function PeoplePage({ lang, user, route }: PageProps) {
  return (
    <div class="people-page" data-testid="page-people">
      <UsersPanel lang={lang} me={user.username} />
      <PersonFilePanel lang={lang} idNumber={route.params.get('id') ?? ''} />
    </div>
  );
}
