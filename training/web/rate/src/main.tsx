// The phone rating page (教师评价), at /rate/#t=TOKEN: opened from the QR code the classroom kiosk shows a
// trainee after signing out of a teacher's last lesson. No account: the one-time token in the fragment
// (never sent in a URL, so never in a log or a Referer) is the only credential, and it rates once.
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
