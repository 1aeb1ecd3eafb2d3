// The training page (培训班): the classes (an admin creates them; a 班主任 sees only their own — the
// server answers with those alone), the site's teachers, and the picked class in tabs: live attendance
// (the 班主任's, on a phone), overview, timetable, trainees, hours, the district report, ratings and
// the class file. Where the console is lives in the hash: #/training?class=C&tab=attendance.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { replaceParams } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import { api, type ClassDetail, type ClassView } from './api.ts';
import { AttendanceTab } from './attendance.tsx';
import { NewClassForm, OverviewTab } from './overview.tsx';
import { ClassFileTab } from './class-file.tsx';
import { HoursTab } from './hours.tsx';
import { MembersTab } from './members.tsx';
import { Failure, clock } from './parts.tsx';
import { RatingsTab } from './ratings.tsx';
import { ReportTab } from './report.tsx';
import { TeachersPanel } from './teachers.tsx';
import { TimetableTab } from './timetable.tsx';
import { TABS, trainingWords, type Tab } from './words.ts';
import './styles.css';

export function TrainingPage({ lang, user, route }: PageProps) {
  const w = trainingWords[lang];
  const classId = route.params.get('class') ?? '';
  const view = route.params.get('view');
  const [classes, setClasses] = useState<ClassView[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const admin = user.role === 'admin';
  const load = () => api.classes().then(setClasses, setErr);
  useEffect(() => {
    void load();
    api.site().then(
      (s) => clock.setTimeZone(s.site.timezone),
      () => {},
    );
  }, []);
  // A 班主任 with one class goes straight to it: on a phone, the list is one tap too many.
  useEffect(() => {
    if (!classId && !view && !admin && classes?.length === 1) replaceParams({ class: classes[0]!.id }, 'training');
  }, [classes, classId]);

  if (classes === null)
    return (
      <section data-testid="page-training" class="training-page">
        <p>{w.loading}</p>
        <Failure err={err} lang={lang} />
      </section>
    );
  const picked = classes.find((c) => c.id === classId) ?? null;
  return (
    <section data-testid="page-training" class="training-page">
      <Failure err={err} lang={lang} />
      <div class={picked || view === 'teachers' ? 'training-top picked' : 'training-top'}>
        <section class="panel class-list" aria-labelledby="classes-h">
          <h3 id="classes-h">{w.classes}</h3>
          {classes.length === 0 ? (
            <p data-testid="no-classes">{admin ? w.noClasses : w.noClassesHeadTeacher}</p>
          ) : (
            <ul class="class-items" data-testid="class-list">
              {classes.map((c) => (
                <li key={c.id}>
                  <a href={`#/training?class=${encodeURIComponent(c.id)}`} aria-current={c.id === classId ? 'true' : undefined} data-testid={`class-${c.id}`}>
                    <strong>{c.name}</strong>
                    <span class="muted">
                      {w.classLine(c.startsOn, c.endsOn, c.members, c.requiredHours)} · {w.state[c.state] ?? c.state}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <p>
            <a href="#/training?view=teachers" data-testid="teachers-link" aria-current={view === 'teachers' ? 'true' : undefined}>
              {w.teachersLink}
            </a>
          </p>
          {admin && (
            <NewClassForm
              lang={lang}
              onCreated={(c) => {
                void load();
                replaceParams({ class: c.id, tab: 'timetable' }, 'training');
              }}
            />
          )}
        </section>
        {view === 'teachers' && !picked ? (
          <TeachersPanel lang={lang} admin={admin} />
        ) : picked ? (
          <ClassPanel key={picked.id} lang={lang} cls={picked} tab={route.params.get('tab') as Tab | null} admin={admin} me={user.username} onChanged={load} />
        ) : (
          classes.length > 0 && <p class="muted">{w.pickClass}</p>
        )}
      </div>
    </section>
  );
}

function ClassPanel({
  lang,
  cls,
  tab,
  admin,
  me,
  onChanged,
}: {
  lang: Lang;
  cls: ClassView;
  tab: Tab | null;
  admin: boolean;
  me: string;
  onChanged: () => void;
}) {
  const w = trainingWords[lang];
  const [detail, setDetail] = useState<ClassDetail | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const load = () => api.detail(cls.id).then(setDetail, setErr);
  useEffect(() => {
    void load();
  }, [cls.id, cls.updatedAt]);
  const current: Tab = tab && TABS.includes(tab) ? tab : cls.state === 'running' ? 'attendance' : 'overview';
  const changed = () => {
    void load();
    onChanged();
  };
  const props = { lang, cls, detail, admin, me, onChanged: changed };
  return (
    <section class="panel class-panel" aria-labelledby="class-h" data-testid="class-panel" data-class={cls.id}>
      <a class="all-classes" href="#/training?view=classes">
        {w.allClasses}
      </a>
      <h3 id="class-h">{cls.name}</h3>
      <ul class="training-tabs" aria-label={cls.name}>
        {TABS.map((t) => (
          <li key={t}>
            <a href={`#/training?class=${encodeURIComponent(cls.id)}&tab=${t}`} aria-current={t === current ? 'page' : undefined} data-testid={`tab-${t}`}>
              {w.tabs[t]}
            </a>
          </li>
        ))}
      </ul>
      <Failure err={err} lang={lang} />
      {current === 'overview' && <OverviewTab {...props} />}
      {current === 'timetable' && <TimetableTab {...props} />}
      {current === 'members' && <MembersTab {...props} />}
      {current === 'attendance' && <AttendanceTab {...props} />}
      {current === 'hours' && <HoursTab {...props} />}
      {current === 'report' && <ReportTab {...props} />}
      {current === 'ratings' && <RatingsTab {...props} />}
      {current === 'file' && <ClassFileTab {...props} />}
    </section>
  );
}

/** What every tab of a class gets. */
export interface TabProps {
  lang: Lang;
  cls: ClassView;
  detail: ClassDetail | null;
  admin: boolean;
  /** The signed-in user's name (the 班主任 signs the report). */
  me: string;
  onChanged: () => void;
}
