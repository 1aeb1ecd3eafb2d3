// Exam plans, sessions, rosters, seats, session papers and results, made from one set of
// dependencies. The parts share the plans store; none keeps state of its own beyond prepared statements.
import type { PlansDeps } from './model.ts';
import { createPlans } from './plans.ts';
import { createRoster } from './roster.ts';
import { createSeats } from './seats.ts';
import { createSessionPapers } from './session-papers.ts';
import { createResults } from './results.ts';
import { seatListOf } from './seat-list.ts';
import { createRosterStatus } from './roster-status.ts';

export function createPlanService(deps: PlansDeps) {
  const rosterStatus = createRosterStatus(deps);
  const plans = createPlans(deps, rosterStatus);
  const roster = createRoster(deps, plans);
  const seats = createSeats(deps, plans, roster);
  const papers = createSessionPapers(deps, plans, roster);
  const results = createResults(deps, plans, roster, papers, rosterStatus);
  return {
    ...plans,
    importRoster: roster.importRoster,
    addCandidate: roster.addCandidate,
    roster: roster.entries,
    eligibility: roster.eligibility,
    /** The training module's hours check of every roster import (server/app.ts wires it). */
    setTrainingCheck: roster.setTrainingCheck,
    setRosterStatus: rosterStatus.setRosterStatus,
    admittedAt: rosterStatus.admittedAt,
    assignSeats: seats.assignSeats,
    reseat: seats.reseat,
    freeSeats: seats.freeSeats,
    generateSessionPapers: papers.generateSessionPapers,
    generateSessionPapersInSteps: papers.generateSessionPapersInSteps,
    checkPapers: papers.checkPapers,
    paperStore: papers.store,
    gradeCandidate: results.gradeCandidate,
    resultOf: results.resultOf,
    personRecord: results.personRecord,
    sessionSummary: results.sessionSummary,
    seatList(sessionId: string) {
      const s = plans.session(sessionId);
      return seatListOf(deps.config, plans.plan(s.planId), s, roster.entries(s.id));
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
