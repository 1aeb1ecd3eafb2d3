// The public disclosure page, at /public/[?from=YYYY-MM&to=YYYY-MM][&lang=en]: pass rates per training
// institution (培训机构合格率公示). No log-in; aggregates only, and every figure from fewer than 5 people
// withheld by the server before it leaves (GET /api/public/pass-rates).
import { render } from 'preact';
import '../../../../web/base.css';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
