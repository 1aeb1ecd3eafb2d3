import { webApp } from '../../../server/vite.web.ts';

export default webApp('training/web/rate', { base: '/rate/' });
