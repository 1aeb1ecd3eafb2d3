// What the proctor console reads of GB/T 28181 (GET /api/gb28181/summary): one line per platform, no
// addresses or IDs — an invigilator needs to know the province sees the room, not how.
export interface Gb28181SummaryPlatform {
  name: string;
  /** Registered and answering keepalives. */
  online: boolean;
  /** Live plays, playbacks and downloads the platform has open now. */
  plays: number;
  /** Our clock and the platform's differ by more than 2 s (at the last registration). */
  clockAlarm: boolean;
}

export interface Gb28181Summary {
  configured: boolean;
  platforms: Gb28181SummaryPlatform[];
}
