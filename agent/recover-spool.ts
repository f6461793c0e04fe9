import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InterviewRepo } from '../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../cli/adapters/db/utterances.js';
import { removeQuietly, type ObjectStorage } from '../cli/adapters/storage/storage.js';
import { ConflictError, NotFoundError } from '../cli/core/errors.js';
import { isInterviewId } from '../cli/core/ids.js';
import { transcriptJson, transcriptVtt } from '../cli/core/transcript.js';
import type { Logger } from '../cli/server/log.js';

/**
 * Interviews whose job process died (the agent was killed) leave a fragmented MP4 in the local
 * spool, playable up to the last fragment. At worker start — when no job of this worker runs —
 * each one is uploaded to its key with a transcript of what was logged, and the interview, if it
 * was still live, is failed with `agent_crashed`, naming the partial recording.
 */
export async function recoverSpool(deps: { spoolDir: string; storage: ObjectStorage; interviews: InterviewRepo; utterances: UtteranceRepo; log: Logger }): Promise<number> {
  const { spoolDir, storage, interviews, utterances, log } = deps;
  if (!existsSync(spoolDir)) return 0;
  let recovered = 0;
  for (const id of readdirSync(spoolDir)) {
    if (!isInterviewId(id)) continue;
    const dir = join(spoolDir, id);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.mp4'))) {
      const path = join(dir, file);
      try {
        let interview;
        try {
          interview = await interviews.get(id);
        } catch (err) {
          if (err instanceof NotFoundError) continue;
          throw err;
        }
        if (interview.status === 'completed') {
          await removeQuietly(path);
          continue;
        }
        const key = `recordings/${id}/${file}`;
        if (statSync(path).size > 0 && (await storage.size(key)) === undefined) {
          await storage.upload(key, createReadStream(path), 'video/mp4');
        }
        const keys = { recording_key: key, transcript_key: key.replace(/\.mp4$/, '.transcript.json'), vtt_key: key.replace(/\.mp4$/, '.vtt') };
        const list = await utterances.list(id);
        const startedAt = interview.recordingStartedAt ?? interview.usedAt ?? new Date();
        const durationMs = list.reduce((m, u) => Math.max(m, u.endMs), 0);
        await storage.put(keys.transcript_key, transcriptJson({ interviewId: id, roomName: `interview-${id}`, recordingStartedAt: startedAt, durationMs, lang: interview.lang, speechMode: 'unknown', recordingKey: key }, list), 'application/json');
        await storage.put(keys.vtt_key, transcriptVtt(list), 'text/vtt');
        try {
          await interviews.applyEvent(id, 'fail', { actor: 'agent', reason: 'interviewer stopped mid-interview; partial recording kept', patch: { error: 'agent_crashed', end_reason: 'agent_crashed', ...keys } });
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
        await removeQuietly(path);
        recovered++;
        log.warn('partial recording recovered from the spool', { interview_id: id, key });
      } catch (err) {
        log.error('spooled recording could not be recovered; kept for the next start', { interview_id: id, error: (err as Error).message });
      }
    }
  }
  return recovered;
}
