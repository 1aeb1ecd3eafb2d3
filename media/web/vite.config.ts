import { webApp } from '../../server/vite.web.ts';

export default webApp('media/web', { base: '/live/' });
