// Only kiosk/service.ts still imports this; new code imports core/ directly. Delete it once the
// services split has moved kiosk/service.ts to core/'s site-time and id-number helpers.
export { idNumberProblem, isDate, localDate, localDateTime, maskIdNumber, normaliseIdNumber } from '../core/index.ts';
