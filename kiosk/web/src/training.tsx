// The kiosk's training screens (培训考勤): the idle screen's left side in a classroom — sign in or sign
// out, today's lessons — and the result of a sign-in or sign-out, which after a teacher's last lesson
// asks for the rating (1–5 and a comment) beside the QR code that carries the same one-time token to
// the trainee's phone. The face check between them is the exam entrance's own (app.tsx).
import { useEffect, useRef } from 'preact/hooks';
import { useTick } from '../../../web/store.ts';
import { QrCode } from '../../../web/qr-code.tsx';
import type { P } from './app.tsx';
import type { LessonView } from './api.ts';
import { TRAINING_STRINGS } from './training-words.ts';

const hours = (h: number) => String(Math.round(h * 10) / 10);

/**
 * HH:MM on the site's clock, not the kiosk PC's: the lesson says both its start on the site's clock and
 * as an instant, and their difference is the site's offset from UTC.
 */
function siteTime(iso: string, lesson: LessonView | null): string {
  const offset = lesson ? Date.parse(`${lesson.day}T${lesson.start}:00Z`) - Date.parse(lesson.startsAt) : -new Date().getTimezoneOffset() * 60_000;
  return new Date(Date.parse(iso) + offset).toISOString().slice(11, 16);
}

export function TrainingIdleLeft({ c, s }: P) {
  const tt = TRAINING_STRINGS[s.lang];
  const classes = s.training ?? [];
  const cls = classes.find((x) => x.id === s.trainingClassId) ?? classes[0];
  const looking = s.screen === 'looking';
  // A long day's lessons scroll inside their list (the face notice below never gives way): the lesson on now stays in view.
  const list = useRef<HTMLUListElement>(null);
  const now = cls?.signInLessonId ?? null;
  useEffect(() => list.current?.querySelector('li.now')?.scrollIntoView({ block: 'nearest' }), [now, cls?.lessons.length]);
  return (
    <>
      <h1 class="idle-title">{tt.idleTitle}</h1>
      <p class="idle-sub">{tt.idleSub}</p>
      <div class="action-pick" role="radiogroup" aria-label={tt.actionLabel} data-testid="action-pick">
        {(['check_in', 'check_out'] as const).map((a) => (
          <button
            type="button"
            key={a}
            role="radio"
            aria-checked={s.action === a}
            class={s.action === a ? 'primary big' : 'big'}
            disabled={looking}
            onClick={() => c.training.setAction(a)}
            data-action={a}
          >
            {a === 'check_in' ? tt.checkIn : tt.checkOut}
          </button>
        ))}
      </div>
      {classes.length > 1 ? (
        <div class="class-pick" role="radiogroup" aria-label={tt.classLabel}>
          {classes.map((x) => (
            <button
              type="button"
              key={x.id}
              role="radio"
              aria-checked={x.id === cls?.id}
              class={x.id === cls?.id ? 'chip on' : 'chip'}
              onClick={() => c.training.pickClass(x.id)}
            >
              {x.name}
            </button>
          ))}
        </div>
      ) : null}
      {cls ? (
        <section class="lessons" aria-label={tt.todaysLessons}>
          {/* "Today's lessons" first: on a narrow card the line ends in an ellipsis, which then cuts the class name. */}
          <h2 class="lessons-title" title={cls.name}>
            {tt.todaysLessons} · {cls.name}
          </h2>
          {cls.lessons.length === 0 ? <p class="muted">{tt.noLessons}</p> : null}
          <ul class="sessions lessons-list" ref={list}>
            {cls.lessons.map((l) => (
              <li key={l.id} data-testid="lesson-line" data-state={l.state} class={l.id === cls.signInLessonId ? 'now' : ''}>
                <span class="session-what">
                  <strong>
                    {l.start}–{l.end}
                  </strong>{' '}
                  · <span class="session-name">{l.topic}</span>
                  {l.teacherName ? <span class="muted"> · {l.teacherName}</span> : null}
                </span>
                <span class="session-count">
                  {tt.lessonState[l.state] ?? l.state}
                  <br />
                  <small>{tt.signedInCount(l.signedIn)}</small>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function TickIcon() {
  return (
    <svg class="verdict-icon" viewBox="0 0 48 48" aria-hidden="true">
      <circle cx="24" cy="24" r="22" fill="currentColor" />
      <path d="M13 25l8 8 15-17" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function Countdown({ s, t }: Pick<P, 's' | 't'>) {
  useTick(250);
  if (s.returnAt === null) return null;
  return (
    <span class="muted" data-testid="return-in">
      {t.returnIn(Math.max(0, Math.ceil((s.returnAt - performance.now()) / 1000)))}
    </span>
  );
}

/** The sign-in or sign-out recorded; after a sign-out, the rating of each teacher due, with its QR code. */
export function Signed(p: P) {
  const { c, s } = p;
  const tt = TRAINING_STRINGS[s.lang];
  const g = s.signed!;
  const lesson = s.attempt?.training?.lesson ?? null;
  const time = siteTime(g.at, lesson);
  const rating = s.rating;
  const teacher = rating?.teachers[rating.index] ?? null;
  const facts = [tt.signedAt(time)];
  if (g.lateMinutes) facts.push(tt.late(g.lateMinutes));
  if (g.earlyMinutes) facts.push(tt.early(g.earlyMinutes));
  // At sign-in nothing is credited yet: the lesson's scheduled 学时 and the class total so far say what it is worth.
  if (g.hours !== null) facts.push(tt.lessonHours(hours(g.hours)));
  else if (lesson) facts.push(tt.lessonPlanned(hours(lesson.hours)));
  facts.push(tt.totalHours(hours(g.totalHours)));
  return (
    <section class={`signed ${teacher ? 'with-rating' : ''}`} data-testid="signed" data-decision={g.decision}>
      <div class="panel verdict good signed-head">
        <TickIcon />
        <h1 data-testid="signed-title">
          {g.decision === 'checked_in' ? tt.checkedInTitle : tt.checkedOutTitle} · {g.name}
        </h1>
        <p class="lead">{g.topic}</p>
        <p class="detail" data-testid="signed-facts">
          {facts.join(' · ')}
        </p>
        {g.by ? <p class="detail">{tt.confirmedBy(g.by)}</p> : null}
        {rating && rating.rated.length > 0 && !teacher ? (
          <p class="lead" data-testid="rated">
            {tt.rated(rating.rated.join('、'))}
          </p>
        ) : null}
        {!teacher ? (
          <div class="actions">
            <button type="button" class="primary big" onClick={() => c.toIdle()}>
              {tt.next}
            </button>
            <Countdown {...p} />
          </div>
        ) : null}
      </div>
      {teacher && rating ? (
        <div class="rating panel" data-testid="rating" data-teacher={teacher.teacherId}>
          <div class="rate-here">
            <h2 data-testid="rate-title">{tt.rateTitle(teacher.teacherName)}</h2>
            <p class="muted">{tt.rateWhy}</p>
            <div class="stars" role="radiogroup" aria-label={tt.rateTitle(teacher.teacherName)}>
              {[1, 2, 3, 4, 5].map((n) => (
                <button
                  type="button"
                  key={n}
                  role="radio"
                  aria-checked={rating.score === n}
                  aria-label={`${tt.stars(n)} ${tt.starWords[n - 1]}`}
                  class={rating.score !== null && n <= rating.score ? 'star on' : 'star'}
                  disabled={rating.busy}
                  onClick={() => c.training.rate(n)}
                  data-score={n}
                >
                  ★<small>{n}</small>
                </button>
              ))}
            </div>
            <p class="star-words">{rating.score ? tt.starWords[rating.score - 1] : '\u00a0'}</p>
            <label class="comment">
              {tt.comment}
              <input
                value={rating.comment}
                maxLength={500}
                onInput={(e) => c.training.setRatingComment((e.target as HTMLInputElement).value)}
                disabled={rating.busy}
                data-testid="rating-comment"
              />
            </label>
            {rating.error ? (
              <p class="error" role="alert" data-testid="rating-error">
                {rating.error}
              </p>
            ) : null}
            <div class="actions">
              <button type="button" class="primary big" disabled={rating.score === null || rating.busy} onClick={() => void c.training.submitRating()}>
                {rating.busy ? tt.submitting : tt.submitRating}
              </button>
              <button type="button" class="big" disabled={rating.busy} onClick={() => c.training.nextTeacher()}>
                {tt.skip}
              </button>
              <Countdown {...p} />
            </div>
          </div>
          <aside class="rate-phone">
            <h3>{tt.qrTitle}</h3>
            <QrCode text={`${window.location.origin}${teacher.ratePath}`} size={220} label={tt.qrLabel(teacher.teacherName)} testid="rating-qr" />
            <p class="muted">{tt.qrLead}</p>
          </aside>
        </div>
      ) : null}
    </section>
  );
}
