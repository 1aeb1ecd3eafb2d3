// The templates page's calls: the list and one template's feasibility check against a bank version.
import { call } from '../../../../../web/http.ts';
import type { TemplateCheckView, TemplateListView } from '../../../../../exam/protocol.ts';

const enc = encodeURIComponent;
const versionQuery = (version: string | undefined) => (version ? `?version=${enc(version)}` : '');

export const templatesApi = {
  list: (version?: string) => call<TemplateListView>('GET', `/api/templates${versionQuery(version)}`),
  check: (id: string, version?: string) => call<TemplateCheckView>('GET', `/api/templates/${enc(id)}/check${versionQuery(version)}`),
};
