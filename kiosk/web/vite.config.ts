import { webApp } from '../../server/vite.web.ts';

export default webApp('kiosk/web', { base: '/kiosk/' });
