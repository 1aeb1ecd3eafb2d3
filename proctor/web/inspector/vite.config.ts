import { webApp } from '../../../server/vite.web.ts';

export default webApp('proctor/web/inspector', { base: '/inspector/' });
