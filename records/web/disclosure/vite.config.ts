import { webApp } from '../../../server/vite.web.ts';

export default webApp('records/web/disclosure', { base: '/public/' });
