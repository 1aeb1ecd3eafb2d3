// What the report, the ratings and the class file read of the training core: the class, its timetable
// and the credited hours, computed by the core's own rules (training/ hours). A port, so these parts
// never compute an hour themselves and the core stays the one place the rounding rule lives.
import type { ClassDetail, ClassHours } from '../protocol.ts';

export interface TrainingFacts {
  /** The class with its lessons and linked exam sessions; NotFound for an unknown class. */
  detail(classId: string): ClassDetail;
  /** Credited hours per trainee per lesson (the core's rule), every member with every lesson. */
  hours(classId: string): ClassHours;
}
