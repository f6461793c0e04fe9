import { join } from 'node:path';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { createEgressIdRepo } from '../../cli/adapters/db/egress-ids.js';
import { createRecorderStatsRepo } from '../../cli/adapters/db/recorder-stats.js';
import { createEgressApi, createEgressRecorder } from '../../cli/adapters/livekit/egress.js';
import { httpUrl } from '../../cli/adapters/livekit/client.js';
import type { Settings } from '../../cli/settings.js';
import { beginAgentRecording } from './agent-recording.js';
import { beginBrowserRecording } from './browser-recording.js';
import { beginEgressRecording, checkEgress } from './egress-recording.js';
import { beginTranscriptOnly } from './off-recording.js';
import type { RecordingDeps, SessionRecording } from './session-recording.js';

export interface RecordingStart extends RecordingDeps {
  /** Resolves once the agent's audio track is published. */
  agentTrack: Promise<unknown>;
  deleteRoom(): Promise<void>;
  /** RECORDER=browser: tells the page to stop recording and store its last parts. */
  stopPageRecording(): Promise<void>;
}

/** The recorder RECORDER names, for one job: `prepare` early (while the candidate joins), `begin` when they are there. */
export function recorderFor(settings: Settings, sql: Sql) {
  if (settings.recorder === 'egress') {
    // `interviewctl agent` refuses RECORDER=egress without a bucket; this guards job processes too.
    if (!settings.s3) throw new Error('RECORDER=egress needs S3_BUCKET');
    const egress = createEgressRecorder(createEgressApi(settings.livekit), settings.s3, httpUrl(settings.livekit.url));
    let preflight: Promise<Error | undefined> | undefined;
    return {
      mode: 'egress' as const,
      prepare(roomName: string) {
        preflight = checkEgress(egress, roomName);
      },
      begin(d: RecordingStart): SessionRecording {
        const ids = createEgressIdRepo(sql);
        return beginEgressRecording({ ...d, egress, preflight, saveEgressId: (egressId) => ids.set(d.interviewId, egressId) });
      },
    };
  }
  if (settings.recorder === 'off') {
    return { mode: 'off' as const, prepare() {}, begin: (d: RecordingStart): SessionRecording => beginTranscriptOnly(d, { sql }) };
  }
  const stats = createRecorderStatsRepo(sql);
  if (settings.recorder === 'browser') {
    return {
      mode: 'browser' as const,
      prepare() {},
      begin: (d: RecordingStart): SessionRecording =>
        beginBrowserRecording({ ...d, spoolDir: join(settings.home, 'spool'), saveCheck: (check) => stats.setRecordingCheck(d.interviewId, check) }),
    };
  }
  return {
    mode: 'agent' as const,
    prepare() {},
    begin: (d: RecordingStart): SessionRecording =>
      beginAgentRecording(d, { spoolDir: join(settings.home, 'spool'), saveDroppedFrames: (n) => stats.setDroppedFrames(d.interviewId, n) }),
  };
}
