/**
 * What `interviewctl dev` does about the parts a fresh machine may lack, decided from what was
 * found: a pure function, so every combination is tested without a machine that lacks them.
 */

export interface DevFindings {
  /** LIVEKIT_URL was set: a LiveKit elsewhere (Cloud, or a server of one's own) is used as it is. */
  livekitUrlSet: boolean;
  /** A livekit-server binary found (LIVEKIT_SERVER_BIN, the cache, PATH). */
  livekitServer: string | undefined;
  go: { path: string; version: string | undefined } | undefined;
  ffmpeg: boolean;
  recorder: 'agent' | 'egress' | 'browser' | 'off';
  /** Where a built livekit-server is cached, for the messages. */
  cacheDir: string;
  livekitVersion: string;
  minGo: string;
  wantedGo: string;
}

export type LiveKitPlan =
  | { kind: 'remote' }
  | { kind: 'local'; binary: string }
  | { kind: 'build'; go: string; note: string }
  | { kind: 'none'; note: string };

export interface DevPlan {
  livekit: LiveKitPlan;
  /** The recorder dev runs the interviewer with; `banner` says why it differs from the setting. */
  recorder: { mode: 'agent' | 'egress' | 'browser' | 'off'; banner?: string };
}

const older = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
};

/** RECORDER=browser needs ffmpeg too: the interviewer's audio witness and the final remux. */
export function needsFfmpeg(recorder: string): boolean {
  return recorder === 'agent' || recorder === 'browser';
}

export function planDev(f: DevFindings): DevPlan {
  return { livekit: planLiveKit(f), recorder: planRecorder(f) };
}

function planLiveKit(f: DevFindings): LiveKitPlan {
  if (f.livekitUrlSet) return { kind: 'remote' };
  if (f.livekitServer) return { kind: 'local', binary: f.livekitServer };
  const cloud = 'or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET (in .env or the environment) to use a LiveKit Cloud project instead';
  if (f.go && (f.go.version === undefined || !older(f.go.version, f.minGo))) {
    return {
      kind: 'build',
      go: f.go.path,
      note: `LiveKit: no livekit-server yet; building v${f.livekitVersion} with ${f.go.version ? `Go ${f.go.version}` : f.go.path} into ${f.cacheDir} (first run only: a few minutes on 2 cores, then cached)`,
    };
  }
  const install = f.go
    ? `Go ${f.go.version} at ${f.go.path} is too old to build livekit-server v${f.livekitVersion}: install Go ${f.wantedGo} or newer (any Go ${f.minGo}+ fetches it itself) from https://go.dev/doc/install`
    : `livekit-server is not installed and there is no Go to build it: install Go ${f.wantedGo} or newer from https://go.dev/doc/install (Debian 12's golang-go, 1.19, is too old)`;
  return {
    kind: 'none',
    note: `LiveKit: ${install} and run \`npm start\` again (it builds livekit-server once into ${f.cacheDir}), ${cloud}. Until then everything else runs, but joining an interview fails.`,
  };
}

function planRecorder(f: DevFindings): DevPlan['recorder'] {
  if (!needsFfmpeg(f.recorder) || f.ffmpeg) return { mode: f.recorder };
  return {
    mode: 'off',
    banner:
      'RECORDING IS OFF: ffmpeg is not installed, so the interviewer runs with RECORDER=off. Interviews ' +
      'complete with their transcript but no video. To record, install ffmpeg (Debian/Ubuntu: ' +
      '`sudo apt-get install -y ffmpeg`, macOS: `brew install ffmpeg`) and restart; set RECORDER=off to ' +
      'keep it off without this notice.',
  };
}
