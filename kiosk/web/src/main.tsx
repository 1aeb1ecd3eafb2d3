// The entrance kiosk (人证合一): runs in Chromium kiosk mode on the touch screen at the door,
// at /kiosk/[?device=K1].
import { render } from 'preact';
import { App } from './app.tsx';
import { Controller } from './controller.ts';
import './styles.css';

const controller = new Controller(window.location);
// Before the first screen: an ID scanner's keys are never lost to a screen that has not attached a listener yet.
controller.keypad.listen(window);
render(<App c={controller} />, document.getElementById('app')!);
void controller.boot();
