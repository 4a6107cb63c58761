// Call media settings (recordings, whisper): their shapes, their bounds and the pure choice of what a
// dialed call gets from its buyer and seller campaigns. No I/O: the API and the actors share it.

/** Per buyer or seller campaign; off when absent. */
export interface RecordingSettings {
  enabled: boolean;
  /** Days a stored recording is kept; then the retention sweep deletes it (and audits the deletion). */
  retentionDays: number;
}

/** Per buyer campaign: said to the buyer's agent before bridging; optionally "press 1 to accept". */
export interface WhisperSettings {
  message: string;
  requireAcceptance: boolean;
}

export const RETENTION_DAYS = { min: 1, max: 3650, default: 90 } as const;
export const WHISPER_MESSAGE_MAX = 500;

/** What one dialed call records: on when either side turned it on, kept for the longer of their terms. */
export function recordingFor(
  buyer: RecordingSettings | undefined,
  seller: RecordingSettings | undefined,
): { retentionDays: number } | undefined {
  const on = [buyer, seller].filter((r): r is RecordingSettings => r?.enabled === true);
  if (on.length === 0) return undefined;
  return { retentionDays: Math.max(...on.map((r) => r.retentionDays)) };
}

/** The media facts a dialed buyer campaign carries (the buyer actor writes them beside its index). */
export interface BuyerCampaignMedia {
  recording?: RecordingSettings;
  whisper?: WhisperSettings;
}

export const DAY_MS = 86_400_000;
