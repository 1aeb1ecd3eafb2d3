import * as m001 from './001_people_and_audit.ts';
import * as m002 from './002_devices.ts';
import * as m003 from './003_exam.ts';
import * as m004 from './004_plans.ts';
import * as m005 from './005_terminal.ts';
import * as m006 from './006_identity.ts';
import * as m007 from './007_media.ts';
import * as m008 from './008_attendance.ts';
import * as m009 from './009_snapshot_identity.ts';
import * as m010 from './010_proctor.ts';
import * as m011 from './011_bank_images.ts';
import * as m012 from './012_roster_times.ts';
import * as m013 from './013_tls.ts';
import * as m014 from './014_device_health.ts';
import * as m015 from './015_recording_schedule.ts';
import * as m016 from './016_jobs.ts';
import * as m017 from './017_alert_resolution.ts';
import * as m018 from './018_records_room_log.ts';
import * as m019 from './019_certificates.ts';
import * as m020 from './020_archives.ts';
import * as m021 from './021_people.ts';
import * as m022 from './022_reporting.ts';
import * as m023 from './023_pairing_polled.ts';
import * as m024 from './024_audit_anchors.ts';
import * as m025 from './025_terminal_login_locks.ts';
import * as m026 from './026_device_token_rotation.ts';
import * as m027 from './027_login_locks.ts';
import * as m028 from './028_face_consents.ts';
import * as m029 from './029_seat_identity_confirmations.ts';
import * as m030 from './030_outbound_bases.ts';
import * as m031 from './031_card_readers.ts';
import * as m032 from './032_training.ts';
import * as m033 from './033_training_roster_hours.ts';
import * as m034 from './034_training_report.ts';
import * as m035 from './035_teacher_ratings.ts';
import * as m036 from './036_tier_objects.ts';
import * as m037 from './037_capture_hashes.ts';
import * as m038 from './038_attempt_outcomes.ts';
import * as m039 from './039_seat_check_outcome.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new number. */
export const migrations: Migration[] = [
  { version: 1, name: 'people_and_audit', sql: m001.sql },
  { version: 2, name: 'devices', sql: m002.sql },
  { version: 3, name: 'exam', sql: m003.sql },
  { version: 4, name: 'plans', sql: m004.sql },
  { version: 5, name: 'terminal', sql: m005.sql },
  { version: 6, name: 'identity', sql: m006.sql },
  { version: 7, name: 'media', sql: m007.sql },
  { version: 8, name: 'attendance', sql: m008.sql },
  { version: 9, name: 'snapshot_identity', sql: m009.sql },
  { version: 10, name: 'proctor', sql: m010.sql },
  { version: 11, name: 'bank_images', sql: m011.sql },
  { version: 12, name: 'roster_times', sql: m012.sql },
  { version: 13, name: 'tls', sql: m013.sql },
  { version: 14, name: 'device_health', sql: m014.sql },
  { version: 15, name: 'recording_schedule', sql: m015.sql },
  { version: 16, name: 'jobs', sql: m016.sql },
  { version: 17, name: 'alert_resolution', sql: m017.sql },
  { version: 18, name: 'records_room_log', sql: m018.sql },
  { version: 19, name: 'certificates', sql: m019.sql },
  { version: 20, name: 'archives', sql: m020.sql },
  { version: 21, name: 'people', sql: m021.sql },
  { version: 22, name: 'reporting', sql: m022.sql },
  { version: 23, name: 'pairing_polled', sql: m023.sql },
  { version: 24, name: 'audit_anchors', sql: m024.sql },
  { version: 25, name: 'terminal_login_locks', sql: m025.sql },
  { version: 26, name: 'device_token_rotation', sql: m026.sql },
  { version: 27, name: 'login_locks', sql: m027.sql },
  { version: 28, name: 'face_consents', sql: m028.sql },
  { version: 29, name: 'seat_identity_confirmations', sql: m029.sql },
  { version: 30, name: 'outbound_bases', sql: m030.sql },
  { version: 31, name: 'card_readers', sql: m031.sql },
  { version: 32, name: 'training', sql: m032.sql },
  { version: 33, name: 'training_roster_hours', sql: m033.sql },
  { version: 34, name: 'training_report', sql: m034.sql },
  { version: 35, name: 'teacher_ratings', sql: m035.sql },
  { version: 36, name: 'tier_objects', sql: m036.sql },
  { version: 37, name: 'capture_hashes', sql: m037.sql },
  { version: 38, name: 'attempt_outcomes', sql: m038.sql },
  { version: 39, name: 'seat_check_outcome', sql: m039.sql },
];
