/**
 * Where a candidate's data lives in Postgres, one entry per table: export, `candidate delete` and
 * `purge` all read this list, so a new table that holds data about a candidate is covered by adding
 * its entry here (and nothing else).
 *
 * The `interviews` row itself is not listed: it is the subject, exported whole and turned into a
 * tombstone by the erasure (see ERASED_INTERVIEW_FIELDS).
 */
export interface PersonalTable {
  /** The table. */
  table: string;
  /**
   * The column holding the interview id its rows belong to; with `through`, the column of the
   * table `through` names instead, whose rows link to this table's rows.
   */
  interviewColumn: string;
  /** Rows that link to the interview through another table: this.column = through.table.references. */
  through?: { table: string; column: string; references: string };
  /** Export order within one interview. */
  orderBy: string;
  /** File name in an export (`<name>.json`). */
  exportName: string;
  /** Columns with personal data (what `delete` removes; every column is exported). */
  personal: readonly string[];
  /**
   * What erasure does: `delete` the rows; `clear` the personal columns (set to `clearTo`, default
   * null) and keep the rest as proof; `keep` rows that are about the data, not of it (the access log).
   */
  erase: 'delete' | 'clear' | 'keep';
  clearTo?: string;
  /** `clear` only the rows whose column has this value (e.g. reasons typed by an operator). */
  onlyWhere?: { column: string; equals: string };
  /** Says what the rows are, for the manifest. */
  description: string;
}

export const PERSONAL_TABLES: readonly PersonalTable[] = [
  {
    table: 'interview_events',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'events',
    personal: ['reason'],
    erase: 'clear',
    clearTo: '(erased)',
    onlyWhere: { column: 'actor', equals: 'operator' },
    description: 'state changes of the interview; reasons an operator typed are erased',
  },
  {
    table: 'consents',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'consents',
    personal: ['user_agent'],
    erase: 'clear',
    description: 'the disclosure version agreed to, when, and the browser',
  },
  {
    table: 'utterances',
    interviewColumn: 'interview_id',
    orderBy: 'seq',
    exportName: 'utterances',
    personal: ['text'],
    erase: 'delete',
    description: 'what was said, with offsets',
  },
  {
    table: 'webhook_events',
    interviewColumn: 'interview_id',
    orderBy: 'received_at',
    exportName: 'livekit_webhooks',
    personal: ['body'],
    erase: 'delete',
    description: 'LiveKit webhook deliveries about the interview (raw bodies)',
  },
  {
    table: 'access_log',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'access_log',
    personal: [],
    erase: 'keep',
    description: 'who accessed the recording, transcript, report or an export, and when',
  },
  // Deliveries before their events: erasing the events would take them along anyway (cascade).
  {
    table: 'hook_deliveries',
    interviewColumn: 'interview_id',
    through: { table: 'hook_events', column: 'event_seq', references: 'seq' },
    orderBy: 'id',
    exportName: 'outbound_webhook_deliveries',
    personal: ['last_error'],
    erase: 'delete',
    description: 'each outbound webhook event sent (or tried) to each endpoint: state, attempts, last answer',
  },
  {
    table: 'hook_events',
    interviewColumn: 'interview_id',
    orderBy: 'seq',
    exportName: 'outbound_webhooks',
    personal: ['data'],
    erase: 'delete',
    description: 'outbound webhook events about the interview, with their bodies',
  },
  // Reviews before evaluations: a review may name the evaluation it was made beside.
  {
    table: 'interview_reviews',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'reviews',
    personal: ['note', 'overrides'],
    erase: 'delete',
    description: "a person's decisions about the candidate, notes and score overrides",
  },
  {
    table: 'interview_evaluations',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'evaluations',
    personal: ['result', 'error'],
    erase: 'delete',
    description: "the AI's advisory evaluations: scores, quotes from the transcript, summary",
  },
  {
    table: 'interview_integrity_notes',
    interviewColumn: 'interview_id',
    orderBy: 'id',
    exportName: 'integrity_notes',
    personal: ['kind', 'started_at', 'ended_at'],
    erase: 'delete',
    description: 'when the candidate page saw the tab hidden or the window not focused',
  },
];

/**
 * Tables with an interview_id that hold no personal data and stay after a deletion, and why (a
 * test checks that every table with an interview_id is in PERSONAL_TABLES or here).
 */
export const KEPT_INTERVIEW_TABLES: Readonly<Record<string, string>> = {
  deletion_receipts: 'the proof of a deletion: keys and counts, no personal data',
  purge_audit: 'the proof of a retention purge: counts only',
  turn_metrics: "the interviewer's per-turn latencies: timings and replacement reasons, no words",
};

/** The columns of `interviews` that an erasure clears, and what they become. */
export const ERASED_INTERVIEW_FIELDS = {
  candidate_name: '(deleted)',
  candidate_email: null,
  ref: null,
  resume_key_hash: null,
} as const;

/** The storage prefix holding every object of an interview (SPEC.md section 6). */
export function storagePrefix(interviewId: string): string {
  return `recordings/${interviewId}/`;
}

/** Normalizes what a tombstone hash is taken of: an email compares without case or spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
