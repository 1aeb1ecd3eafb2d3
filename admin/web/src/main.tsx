// The centre's office console, at /admin/[?lang=en]#/PAGE[?params]: everything before and after the
// exam day (devices, bank, plans and sessions, results and records, people, system), for the admin role.
import { render } from 'preact';
import '../../../web/base.css';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
