// The invigilator's desk console, at /proctor/[?lang=en][&room=R1]: the room's seats, alerts, commands,
// session control and live tiles on a normal monitor.
import { render } from 'preact';
import '../../../web/base.css';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
