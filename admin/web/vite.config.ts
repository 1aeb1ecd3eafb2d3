import { webApp } from '../../server/vite.web.ts';

export default webApp('admin/web', { base: '/admin/' });
