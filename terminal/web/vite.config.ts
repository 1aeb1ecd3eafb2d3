import { webApp } from '../../server/vite.web.ts';

export default webApp('terminal/web', { base: '/terminal/' });
