// The exam terminal: runs in Chromium kiosk mode on each exam PC, at /terminal/[?device=T101-01].
import { render } from 'preact';
import { App } from './app.tsx';
import { Controller } from './controller.ts';
import './styles.css';

const controller = new Controller(window.location);
render(<App c={controller} />, document.getElementById('app')!);
void controller.boot();
