import { defineAgent, inference, type JobContext, type JobProcess, type VAD } from '@livekit/agents';
import { tolerateLateHandleDrops } from '../cli/adapters/livekit/rtc-handle-guard.js';
import { createLogger, frameworkLogSink } from '../cli/log.js';
import { startJobMetricsRelay } from '../cli/metrics/agent-metrics-relay.js';
import { runInterviewJob } from './interview-job.js';
import { assertVadBinding } from './vad-binding.js';
import { loadSettings } from '../cli/settings.js';

// agents-js writes its own log lines to stdout; interviewctl keeps stdout for results and puts
// every log line on stderr (SPEC.md section 10), in one format. Job processes import this file first.
const frameworkLog = frameworkLogSink(process.stderr, { svc: 'agent' });
process.stdout.write = frameworkLog.write as typeof process.stdout.write;
// A late free of a native handle must not end the interview with it (rtc-handle-guard.ts).
const guardLog = createLogger(process.stderr, { svc: 'agent' });
tolerateLateHandleDrops((count) => {
  if (count === 1) guardLog.warn('rtc-node freed a handle that was already gone; ignored');
});
// This process's metrics go to the worker, which serves them on AGENT_METRICS_PORT.
const metricsRelay = startJobMetricsRelay();

/** Loaded once per job process, before a job is assigned: Silero VAD (offline, CPU). */
async function prewarm(proc: JobProcess): Promise<void> {
  // Settings as every process resolves them: the environment, then .env in the working directory.
  const settings = loadSettings();
  const silence = settings.agent.endOfTurnSilenceMs;
  if (!settings.deepgram.apiKey) {
    const { createEspeakSynthesizer } = await import('./speech/synthesizers.js');
    // A process's first line took about twice the CPU of the next ones (386 against 202-224 ms,
    // measured with a bench running beside it): say one here, so a job's greeting is not that first line.
    // A voice that cannot speak fails the job that needs it, with its reason; not the warm-up.
    const voice = await createEspeakSynthesizer();
    await voice.synthesize('Hello.', 'en').catch(() => {});
    await voice.close();
  }
  // The S3 SDK is large; importing it here keeps it off the path between join and first words.
  if (settings.s3) await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  // agents-js's own Silero (native, in @livekit/local-inference): measured on 60 s of speech and
  // silence it took 1.16 CPU-s against 2.1-2.5 for the silero plugin's onnxruntime.
  assertVadBinding();
  const vad = new inference.VAD({ minSilenceDuration: silence, minSpeechDuration: 250, activationThreshold: 0.5 });
  // The native binding loads with the first stream: here, not on the way to the first words.
  vad.stream().close();
  proc.userData.vad = vad;
}

export default defineAgent({
  prewarm,
  entry: async (ctx: JobContext) => {
    await runInterviewJob(ctx, ctx.proc.userData.vad as VAD);
    await metricsRelay.flush(true);
    ctx.shutdown('interview finished');
  },
});
