// The System page: is the appliance well, will the disk hold three years of recordings, is every camera
// recording, is upstream getting the feeds, who did what (the audit log and its check), and the config in
// force with its secrets masked — one section at a time, named in the hash (#/system?section=audit).
import { href } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import { SECTIONS, systemWords, type SectionId } from './words.ts';
import { HealthSection } from './health.tsx';
import { DiskSection } from './disk.tsx';
import { RecordingSection } from './recording.tsx';
import { UpstreamSection } from './upstream.tsx';
import { PrivacySection } from './privacy.tsx';
import { BackupSection } from './backup.tsx';
import { AuditSection } from './audit.tsx';
import { ConfigSection } from './config.tsx';
import './styles.css';

const VIEWS: Record<SectionId, (p: PageProps) => preact.JSX.Element> = {
  health: HealthSection,
  disk: DiskSection,
  recording: RecordingSection,
  upstream: UpstreamSection,
  privacy: PrivacySection,
  backup: BackupSection,
  audit: AuditSection,
  config: ConfigSection,
};

export function SystemPage(props: PageProps) {
  const w = systemWords[props.lang];
  const asked = props.route.params.get('section');
  const section: SectionId = (SECTIONS as readonly string[]).includes(asked ?? '') ? (asked as SectionId) : 'health';
  const View = VIEWS[section];
  return (
    <div class="system-page" data-testid="page-system">
      <nav class="system-tabs" aria-label={props.lang === 'zh' ? '系统' : 'System'}>
        {SECTIONS.map((s) => (
          <a key={s} href={href('system', { section: s })} aria-current={s === section ? 'page' : undefined} data-testid={`system-tab-${s}`}>
            {w.sections[s]}
          </a>
        ))}
      </nav>
      <View {...props} />
    </div>
  );
}
