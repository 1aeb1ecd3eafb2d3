import { webApp } from '../../server/vite.web.ts';

export default webApp('inspector/web', { base: '/inspector/' });
