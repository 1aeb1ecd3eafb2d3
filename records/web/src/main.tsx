// The staff statistics page, at /records/[?lang=en]: pass rates per session, training institution,
// category, industry or month, with charts, the item analysis, and CSV downloads. Administrators and
// inspectors (of this site's jurisdiction) log in with the web kit's form.
import { render } from 'preact';
import '../../../web/base.css';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
