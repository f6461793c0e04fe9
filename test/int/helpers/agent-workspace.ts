import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterviewRepo, type InterviewRepo } from '../../../cli/adapters/db/interviews.js';
import { createUtteranceRepo, type UtteranceRepo } from '../../../cli/adapters/db/utterances.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** What the agent's integration tests share: a fresh migrated database, its repos and a scratch folder. */
export interface AgentWorkspace {
  db: TestDatabase;
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  dir: string;
  close(): Promise<void>;
}

export async function openAgentWorkspace(label: string): Promise<AgentWorkspace> {
  const db = await createTestDatabase({ migrate: true });
  const dir = mkdtempSync(join(tmpdir(), `ivc-${label}-`));
  return {
    db,
    interviews: createInterviewRepo(db.sql),
    utterances: createUtteranceRepo(db.sql),
    dir,
    async close() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
