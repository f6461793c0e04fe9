import { join } from 'node:path';
import { AutoSubscribe, type JobContext, type VAD } from '@livekit/agents';
import { openDatabase } from '../cli/adapters/db/connect.js';
import { createInterviewRepo } from '../cli/adapters/db/interviews.js';
import { takeInterviewerLock } from '../cli/adapters/db/interviewer-lock.js';
import { createTurnMetricsRepo } from '../cli/adapters/db/turn-metrics.js';
import { describeInterviewerMode } from '../cli/core/interviewer-mode.js';
import { createUtteranceRepo } from '../cli/adapters/db/utterances.js';
import { openStorage } from '../cli/adapters/storage/storage.js';
import { ConflictError } from '../cli/core/errors.js';
import { candidateIdentityFor, interviewIdFromRoom, isInterviewId, roomNameFor } from '../cli/core/ids.js';
import { endsAt } from '../cli/core/interview.js';
import { createLogger } from '../cli/log.js';
import { agentMetrics } from '../cli/metrics/agent-metrics.js';
import { loadSettings } from '../cli/settings.js';
import { CandidateRoom } from './candidate-room.js';
import { failInterview } from './finalize.js';
import { waitForJoinCommit } from './join-commit.js';
import { AGENT_COMMIT_WAIT_MS } from '../cli/core/join-timing.js';
import { runInterview } from './interviewer.js';
import { linesFor, preparedLines } from './lines.js';
import { openInterviewer } from './llm/open-interviewer.js';
import { recorderFor } from './recording/choose.js';
import { PAGE_RECORDING_ATTRIBUTE } from './recording/browser-recording.js';
import type { SessionRecording } from './recording/session-recording.js';
import { openSpeech } from './speech/speech-mode.js';
import { cacheLines } from './speech/line-cache.js';
import { OwnVoice, type ConversationVoice } from './speech/own-voice.js';
import { SessionVoice, sentencesOf } from './speech/session-voice.js';

/** The interview id the dispatch carries in its metadata (or, failing that, the room name). */
export function interviewIdOfJob(metadata: string | undefined, roomName: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(metadata ?? '') as { interviewId?: unknown }).interviewId;
    if (typeof id === 'string' && isInterviewId(id)) return id;
  } catch {
    // fall through to the room name
  }
  return roomName ? interviewIdFromRoom(roomName) : undefined;
}

function isDoctorProbe(metadata: string | undefined): boolean {
  try {
    return (JSON.parse(metadata ?? '') as { probe?: unknown }).probe === 'doctor';
  } catch {
    return false;
  }
}

/** One interview, start to finish, in a job process. Never throws: failures end up in the interview. */
export async function runInterviewJob(ctx: JobContext, vad: VAD): Promise<void> {
  const log = createLogger(process.stderr, { svc: 'agent', job: ctx.job.id });
  const id = interviewIdOfJob(ctx.job.metadata, ctx.job.room?.name);
  if (!id) {
    // `interviewctl doctor` checks a worker is there by dispatching one into a throw-away room and
    // watching for it to join: join, stay a moment, leave.
    if (isDoctorProbe(ctx.job.metadata)) {
      await ctx.connect();
      await new Promise((r) => setTimeout(r, 3000));
      ctx.shutdown('doctor probe answered');
      return;
    }
    log.warn('job without an interview id; ignoring it', { room: ctx.job.room?.name });
    return;
  }
  const settings = loadSettings();
  const options = settings.agent;
  const db = await openDatabase(settings, { max: 3 });
  const interviews = createInterviewRepo(db.sql);
  const utterances = createUtteranceRepo(db.sql);
  const turnMetrics = createTurnMetricsRepo(db.sql);
  const ilog = createLogger(process.stderr, { svc: 'agent', job: ctx.job.id, interview_id: id });
  const jobStart = performance.now();
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => db.close()];
  const external = new AbortController();
  let ownEnd = false;
  try {
    const interview = await waitForJoinCommit(db.sql, (i) => interviews.findExact(i), id, AGENT_COMMIT_WAIT_MS);
    if (!interview || interview.status !== 'used') {
      ilog.warn('interview is not waiting for its interviewer; leaving', { status: interview?.status ?? 'unknown' });
      return;
    }
    // A join given up after its dispatch (its client left) leaves that dispatch's agent without an
    // interview; the retry dispatched another one, which is the one the row names.
    const dispatchId = ctx.job.dispatchId;
    if (dispatchId && interview.dispatchId && interview.dispatchId !== dispatchId) {
      ilog.warn('another dispatch serves this interview; leaving', { dispatch: dispatchId });
      return;
    }
    // A job that passed the check above just before reconcile dispatched again would run next to
    // the new one: Postgres lets one of them hold the interview for as long as it runs.
    const lock = await takeInterviewerLock(db.sql, id);
    if (!lock) {
      ilog.warn('another interviewer holds this interview; leaving', { dispatch: dispatchId });
      return;
    }
    cleanups.push(() => lock.release());
    // An End from the page (via serve) or an operator reaches us through NOTIFY within moments.
    const listening = await db.sql.listen('interview_changed', (payload) => {
      const [pid, , to] = payload.split(' ');
      if (pid === id && (to === 'ending' || to === 'failed') && !ownEnd) external.abort();
    });
    cleanups.push(() => listening.unlisten());

    // Loading the S3 SDK takes seconds on a busy machine: do it while the room connects.
    const storageReady = openStorage(settings);
    storageReady.catch(() => {});
    const recorder = recorderFor(settings, db.sql);
    recorder.prepare(ctx.job.room?.name ?? roomNameFor(id));
    const speech = await openSpeech(settings, interview.lang);
    cleanups.push(() => speech.close());
    // The role's context as the set had it when the link was created (migration 00014).
    const interviewerReady = openInterviewer(settings, { speechToText: speech.stt !== undefined, lang: interview.lang, ...(interview.roleContext ? { context: interview.roleContext } : {}) });
    interviewerReady.catch(() => {});
    // Everything the interviewer says is known in advance: synthesise it now, greeting first,
    // while the room connects (made after it, the greeting was ready 750 ms after the candidate came).
    const lines = linesFor(interview.lang, interview.candidateName, recorder.mode !== 'off');
    // The greeting and the closing first: the conversation starts once both are ready. What a
    // model says is synthesised when it is said; the lines that replace it are ready in advance.
    const prepared = new Map<string, Promise<Int16Array>>();
    // The offline voice's lines are the same in every interview of a question set: made once per
    // machine. A line with the candidate's name (the greeting) is made each time, and not kept.
    const shared = speech.mode === 'offline' ? cacheLines(speech.synth, join(settings.home, 'cache', 'speech')) : speech.synth;
    let chain: Promise<unknown> = Promise.resolve();
    for (const { text: t, personal } of preparedLines(lines, interview.questions.map((q) => q.text), interview.candidateName)) {
      const p = chain.then(() => (personal ? speech.synth : shared).synthesize(t, interview.lang));
      p.catch(() => {});
      prepared.set(t, p);
      chain = p.catch(() => {});
    }

    // RECORDER=browser: the page records the camera; the interviewer needs the voices alone, so
    // the candidate's video is never subscribed (no decode).
    await ctx.connect(undefined, recorder.mode === 'browser' ? AutoSubscribe.AUDIO_ONLY : undefined);
    agentMetrics.startup.observe({ phase: 'connected' }, (performance.now() - jobStart) / 1000);
    const room = ctx.room;
    const roomName = room.name ?? roomNameFor(id);

    const interviewer = await interviewerReady;
    cleanups.push(() => interviewer.close());
    await interviews.setInterviewerMode(id, interviewer.mode);
    ilog.info('interviewer starting', { speech: speech.mode, interviewer: describeInterviewerMode(interviewer.mode), questions: interview.questions.length, duration_ms: interview.durationMs });
    let recording: SessionRecording | undefined;
    // The session's own figures for the turn being answered (llm_metrics, tts_metrics).
    const heardMetrics: { llmTtftMs?: number; ttsTtfbMs?: number } = {};
    const sinks = {
      room,
      candidateIdentity: candidateIdentityFor(id),
      vad,
      clock: () => recording?.offsetMs() ?? 0,
      tap: () => recording?.media,
      onCandidateAudio: (s: Int16Array) => recording?.media?.pushCandidateAudio(s),
    };
    // LLM mode runs on agents-js's AgentSession (RoomIO: the candidate's microphone, our published
    // voice, lk.agent.state and lk.transcription captions; STT, the turn detector, TTS streaming).
    // The scripted flow keeps our own pipeline for now: on the AgentSession, with Chromium's fake
    // microphone talking all the time, the timed and the End-button browser tests never heard the
    // first question within 60 s (not yet understood; see the branch's report).
    const voice: ConversationVoice = interviewer.mode.mode !== 'llm' ? new OwnVoice({ ...sinks, ...(speech.stt ? { stt: speech.stt } : {}) }) : await SessionVoice.start({
      ...sinks,
      silenceMs: options.endOfTurnSilenceMs,
      turnDetector: options.turnDetector,
      ...(speech.stt ? { stt: speech.stt } : {}),
      ...(speech.tts ? { tts: speech.tts } : {}),
      ...(interviewer.engine ? { llm: interviewer.engine } : {}),
      onMetrics: (m) => {
        if (m.type === 'llm_metrics') heardMetrics.llmTtftMs = m.ttftMs;
        else if (m.type === 'tts_metrics') heardMetrics.ttsTtfbMs ??= m.ttfbMs;
      },
    });
    cleanups.push(() => voice.close());
    const agentTrack = voice.agentTrack;
    await agentTrack;

    const candidate = new CandidateRoom(room, candidateIdentityFor(id), {
      audioTrack: (t) => voice.attachCandidateAudio(t),
      videoFrame: (f) => recording?.media?.pushCandidateVideo(f),
      videoGone: () => recording?.media?.clearVideo(),
    });
    cleanups.push(() => candidate.close());
    candidate.adoptExisting();
    const came = candidate.here() || (await candidate.waitForReturn(options.candidateWaitMs, external.signal));
    if (!came) {
      if (!external.signal.aborted) {
        ilog.warn('candidate did not join', { waited_ms: options.candidateWaitMs });
        ownEnd = true;
        await failInterview(interviews, id, 'candidate_no_show', 'candidate did not join in time');
      }
      return;
    }

    const presentAt = performance.now();
    ilog.info('candidate present', { recorder: recorder.mode });
    const rec = recorder.begin({
      interviewId: id,
      roomName,
      lang: interview.lang,
      speechMode: speech.mode,
      storage: await storageReady,
      interviews,
      utterances,
      log: ilog,
      stopConversation: () => external.abort(),
      agentTrack,
      deleteRoom: () => ctx.deleteRoom(),
      stopPageRecording: () => room.localParticipant!.setAttributes({ [PAGE_RECORDING_ATTRIBUTE]: 'stop' }),
    });
    recording = rec;
    cleanups.push(() => rec.abandon());
    const endAt = endsAt(interview)!.getTime();
    // Start as soon as the greeting is ready; the closing's length is estimated if it is not yet.
    let closingMs: number | undefined;
    void prepared.get(lines.closing)!.then((pcm) => (closingMs = (pcm.length / 48_000) * 1000), () => {});
    await Promise.all([prepared.get(lines.greeting)!, rec.beforeSpeaking]);
    closingMs ??= lines.closing.length * (interview.lang === 'ja' ? 160 : 75) + 500;
    agentMetrics.startup.observe({ phase: 'ready' }, (performance.now() - presentAt) / 1000);
    ilog.info('speech ready', { left_ms: Math.round(endAt - Date.now()) });

    let seq = 0;
    let firstAudio = true;
    let lastAnswer: { endMs: number; returnedAtMs: number; finalAtMs?: number } | undefined;
    let lastCandidateSeq: number | undefined;
    const synthesize = (text: string): Promise<Int16Array> => {
      let p = prepared.get(text);
      if (!p) {
        p = speech.synth.synthesize(text, interview!.lang);
        prepared.set(text, p);
        p.catch(() => prepared.delete(text));
      }
      return p;
    };
    const reason = await runInterview({
      lines,
      lang: interview.lang,
      questions: interview.questions,
      ...(interviewer.brain ? { brain: interviewer.brain } : {}),
      // Stored as `candidate_question`, so a reader (or the evaluation) does not take it for an answer.
      onCandidateQuestion: () => {
        if (lastCandidateSeq !== undefined) void utterances.setKind(id, lastCandidateSeq, 'candidate_question').catch(() => {});
      },
      onReplaced: (qi, r) => {
        ilog.warn('model reply replaced by the scripted line', { question: qi, reason: r.reason });
        // The detail may quote the endpoint's error text: no control characters reach a terminal.
        const detail = r.detail.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
        void interviews.note(id, { actor: 'interviewer', reason: `model reply replaced by the scripted line (${r.reason}): ${detail}` }).catch(() => {});
      },
      deadline: performance.now() + (endAt - Date.now()),
      durationMs: interview.durationMs,
      closingMs,
      graceMs: options.graceMs,
      external: external.signal,
      presence: candidate,
      speak: async (kind, text, qi, signal, meta) => {
        const reply = meta?.reply;
        const fresh = !prepared.has(text);
        // A model's words stream through the session's TTS as they are generated, sentence by
        // sentence; the plan's lines (and the scripted ones that replace a model) were synthesised ahead.
        const streamed = fresh && reply !== undefined && reply.replaced === null && speech.tts !== undefined && voice.streamsText;
        let pcm: Int16Array | undefined;
        let ttsTtfbMs: number | null = null;
        if (!streamed) {
          const ttsFrom = performance.now();
          try {
            pcm = await synthesize(text);
          } catch (err) {
            // A voice that fails on a model's line says the prepared acknowledgment instead.
            if (!fresh) throw err;
            ilog.warn('speech synthesis failed; saying the prepared line', { error: (err as Error).message });
            text = lines.acknowledgment;
            pcm = await synthesize(text);
          }
          ttsTtfbMs = fresh ? performance.now() - ttsFrom : null;
        }
        delete heardMetrics.ttsTtfbMs;
        let startMs = rec.offsetMs();
        let started = false;
        // The plan's own lines are heard whole; a model's words may be cut by the candidate speaking.
        const allowInterruptions = reply !== undefined && reply.replaced === null;
        const onStart = () => {
          started = true;
          startMs = rec.offsetMs();
          if (firstAudio) agentMetrics.firstAudio.observe((performance.now() - presentAt) / 1000);
          firstAudio = false;
          // A turn that follows an answer: the same figures turn_metrics stores, as histograms. A line
          // synthesised ahead has no TTS wait; the scripted flow has no model.
          if (meta?.answerEndMs !== undefined) {
            const heard = lastAnswer;
            const ttfb = ttsTtfbMs ?? heardMetrics.ttsTtfbMs ?? null;
            agentMetrics.observeTurn({
              ...(heard ? { eouMs: heard.returnedAtMs - heard.endMs } : {}),
              ...(reply?.ttftMs != null ? { llmTtftMs: reply.ttftMs } : {}),
              ...(ttfb !== null ? { ttsTtfbMs: ttfb } : {}),
              answerToAudioMs: startMs - meta.answerEndMs,
            });
          }
        };
        let result = await voice.say(streamed ? sentencesOf(text, reply.tail) : text, pcm, signal, { allowInterruptions, onStart });
        if (streamed) {
          ttsTtfbMs = heardMetrics.ttsTtfbMs ?? null;
          if (reply.tail) text = (await reply.tail.settled).text;
          if (!started && result === 'done') {
            // The voice produced nothing for the model's words: the prepared acknowledgment instead.
            ilog.warn('speech synthesis failed; saying the prepared line', {});
            text = lines.acknowledgment;
            pcm = await synthesize(text);
            result = await voice.say(text, pcm, signal, { allowInterruptions: false, onStart });
          }
        }
        const endMs = result === 'done' && pcm ? Math.min(rec.offsetMs(), startMs + (pcm.length / 48_000) * 1000) : rec.offsetMs();
        const turnSeq = seq++;
        await utterances.add(id, { seq: turnSeq, speaker: 'agent', kind, questionIndex: qi, text, startMs, endMs });
        if (meta?.answerEndMs !== undefined || reply) {
          const heard = lastAnswer;
          const settled = reply?.tail ? await reply.tail.settled : undefined;
          await turnMetrics
            .add(id, {
              seq: turnSeq,
              questionIndex: qi,
              kind,
              eouDelayMs: heard ? heard.returnedAtMs - heard.endMs : null,
              transcriptionDelayMs: heard?.finalAtMs !== undefined ? heard.finalAtMs - heard.endMs : null,
              // The session's llm_metrics when the model spoke through it, else the brain's own figure.
              // (A model that never sent a token has no first-token time, whatever the plugin reports.)
              llmTtftMs: reply?.ttftMs == null ? null : (heardMetrics.llmTtftMs ?? reply.ttftMs),
              llmDurationMs: settled?.durationMs ?? reply?.durationMs ?? null,
              ttsTtfbMs,
              firstAudioMs: meta?.answerEndMs !== undefined ? startMs - meta.answerEndMs : null,
              replaced: settled?.replaced?.reason ?? reply?.replaced?.reason ?? null,
            })
            .catch((err: unknown) => ilog.warn('turn metrics not stored', { error: (err as Error).message }));
        }
        return result;
      },
      listen: async (kind, qi, limitMs, signal, onDraft) => {
        delete heardMetrics.llmTtftMs;
        const a = await voice.listen(limitMs, signal, onDraft);
        lastAnswer = { endMs: a.endMs, returnedAtMs: a.turnAtMs ?? rec.offsetMs(), ...(a.finalAtMs !== undefined ? { finalAtMs: a.finalAtMs } : {}) };
        lastCandidateSeq = undefined;
        if (a.speechMs > 0 || a.text) {
          lastCandidateSeq = seq++;
          await utterances.add(id, { seq: lastCandidateSeq, speaker: 'candidate', kind, questionIndex: qi, text: a.text, startMs: a.startMs, endMs: a.endMs });
        }
        if (a.outcome !== 'aborted') ilog.info('answer', { question: qi, outcome: a.outcome, speech_ms: Math.round(a.speechMs), gap_from_ms: Math.round(a.endMs) });
        return a;
      },
    });
    // The session ends now; the recording ends with it, however long the bookkeeping below takes.
    rec.markEnd();
    await rec.started;
    ownEnd = true;
    ilog.info('conversation over', { reason });
    const failure = rec.failure();
    if (failure) {
      await rec.abandon();
      await failInterview(interviews, id, 'recorder_failed', failure);
      return;
    }
    if (reason !== 'ended_elsewhere') {
      try {
        await interviews.applyEvent(id, 'end', { actor: 'agent', reason: `interviewer: ${reason.replace(/_/g, ' ')}`, patch: { end_reason: reason } });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    voice.finishing();
    candidate.close();
    const current = await interviews.get(id);
    if (current.status !== 'ending') {
      ilog.warn('interview left the live states before finalizing', { status: current.status });
      await rec.abandon();
      return;
    }
    await rec.finish();
  } catch (err) {
    ilog.error('interview job failed', { error: (err as Error).message });
    ownEnd = true;
    await failInterview(interviews, id, 'agent_error', 'the interviewer stopped on an error').catch(() => {});
  } finally {
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => {});
    await ctx.deleteRoom().catch(() => {});
  }
}
