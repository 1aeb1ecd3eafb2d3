// The remote inspector's view, at /inspector/[?lang=en]: sites and rooms in the jurisdiction, live
// tiles, sessions and their incidents. Read-only: there is no command anywhere on it.
import { render } from 'preact';
import '../../../../web/base.css';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
