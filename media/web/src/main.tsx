// The live page, at /live/[?source=ID][&lang=en]: staff and inspectors watch cameras and candidate screens.
import { render } from 'preact';
import { App } from './app.tsx';
import '../../../web/video/live-tile.css';
import './styles.css';

render(<App />, document.getElementById('app')!);
