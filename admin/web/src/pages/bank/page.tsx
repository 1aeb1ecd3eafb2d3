// The question bank page: its versions and the central bank's sync state, importing a question file
// (a server job with a progress bar; every bad row listed; nothing stored on refusal), uploading
// pictures, and finding questions to look at or retire.
import { useEffect, useState } from 'preact/hooks';
import type { BankSyncView, BankVersionView } from '../../../../../exam/protocol.ts';
import type { PageProps } from '../page-props.ts';
import { bankApi } from './api.ts';
import { ImagesPanel } from './images-panel.tsx';
import { ImportPanel } from './import-panel.tsx';
import { QuestionsPanel } from './questions.tsx';
import { VersionsPanel } from './versions.tsx';
import './styles.css';

export function BankPage({ lang, route }: PageProps) {
  const [versions, setVersions] = useState<BankVersionView[] | null>(null);
  const [sync, setSync] = useState<BankSyncView | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  useEffect(() => {
    bankApi.versions().then(setVersions, () => setVersions([]));
    bankApi.sync().then(setSync, () => setSync(null));
  }, [reloadKey]);
  const reload = () => setReloadKey((n) => n + 1);
  return (
    <div class="bank-page" data-testid="page-bank">
      <div class="bank-top">
        <ImportPanel lang={lang} onImported={reload} />
        <ImagesPanel lang={lang} />
      </div>
      <VersionsPanel lang={lang} versions={versions} sync={sync} onChanged={reload} />
      <QuestionsPanel lang={lang} route={route} versions={versions} reloadKey={reloadKey} />
    </div>
  );
}
