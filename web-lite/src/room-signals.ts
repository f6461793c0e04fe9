// What the page reads from the LiveKit room besides media: the agent's state attribute and the
// transcription streams the agent publishes for both speakers.
import { type Participant, type RemoteParticipant, type Room, RoomEvent, type TrackPublication, type TranscriptionSegment } from 'livekit-client';
import type { CaptionLog, Speaker } from './captions';
import { type AgentState, parseAgentState } from './interview-view';

const AGENT_STATE_ATTRIBUTE = 'lk.agent.state';
const TRANSCRIPTION_TOPIC = 'lk.transcription';
const SEGMENT_ID_ATTRIBUTE = 'lk.segment_id';
const FINAL_ATTRIBUTE = 'lk.transcription_final';
const TRACK_ID_ATTRIBUTE = 'lk.transcribed_track_id';

type TextStreamReader = Parameters<Parameters<Room['registerTextStreamHandler']>[1]>[0];

/** The interviewer: a participant of kind agent, else whoever carries the agent state attribute. */
export function findAgent(room: Room): RemoteParticipant | undefined {
  const participants = [...room.remoteParticipants.values()];
  return participants.find((p) => p.isAgent) ?? participants.find((p) => AGENT_STATE_ATTRIBUTE in p.attributes) ?? participants[0];
}

/** 'waiting' while no interviewer is in the room. */
export function agentStateOf(room: Room): AgentState {
  const agent = findAgent(room);
  return agent ? parseAgentState(agent.attributes[AGENT_STATE_ATTRIBUTE]) : 'waiting';
}

/**
 * The agent publishes both sides' transcripts: the candidate's carry the candidate's identity as
 * sender, or at least name the candidate's microphone track.
 */
function speakerOf(room: Room, identity: string | undefined, transcribedTrackId: string | undefined): Speaker {
  const local = room.localParticipant;
  if (identity !== undefined && identity === local.identity) return 'you';
  if (transcribedTrackId && local.trackPublications.has(transcribedTrackId)) return 'you';
  return 'agent';
}

/** Feeds `lk.transcription` text streams (and the older transcription events) into the captions. */
export function attachTranscription(room: Room, captions: CaptionLog): void {
  let sawTextStreams = false;

  room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, sender) => {
    sawTextStreams = true;
    void readTranscript(room, captions, reader, sender.identity);
  });

  room.on(
    RoomEvent.TranscriptionReceived,
    (segments: TranscriptionSegment[], participant?: Participant, publication?: TrackPublication) => {
      if (sawTextStreams) return; // the same words already arrive as text streams
      const speaker = speakerOf(room, participant?.identity, publication?.trackSid);
      for (const segment of segments) captions.upsert(`legacy-${segment.id}`, speaker, segment.text, segment.final);
    },
  );
}

async function readTranscript(room: Room, captions: CaptionLog, reader: TextStreamReader, identity: string): Promise<void> {
  const attributes = reader.info.attributes ?? {};
  const segmentId = attributes[SEGMENT_ID_ATTRIBUTE] ?? reader.info.id;
  const speaker = speakerOf(room, identity, attributes[TRACK_ID_ATTRIBUTE]);
  let text = '';
  try {
    for await (const chunk of reader) {
      text += chunk;
      captions.upsert(segmentId, speaker, text, false);
    }
  } catch {
    // A stream cut by a disconnect keeps what arrived.
  }
  // The agent streams its own words as deltas and closes the stream at the end of a segment; the
  // candidate's words arrive as whole interim texts, the last one marked final.
  const final = attributes[FINAL_ATTRIBUTE] === 'true' || speaker === 'agent';
  captions.upsert(segmentId, speaker, text, final);
}
