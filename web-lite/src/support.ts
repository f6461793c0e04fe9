// Can this browser hold a video call at all? Checked before asking for the camera, so an old
// browser gets a plain "use another browser" instead of a cryptic failure later.
import { pickRecordingType } from './page-recorder';

export interface SupportReport {
  getUserMedia: boolean;
  peerConnection: boolean;
  webSocket: boolean;
  secureContext: boolean;
}

export function checkBrowserSupport(win: Window & typeof globalThis = window): SupportReport {
  return {
    getUserMedia: typeof win.navigator.mediaDevices?.getUserMedia === 'function',
    peerConnection: typeof win.RTCPeerConnection === 'function',
    webSocket: typeof win.WebSocket === 'function',
    // Browsers only expose cameras to secure origins (https or localhost).
    secureContext: win.isSecureContext !== false,
  };
}

export function isSupported(report: SupportReport): boolean {
  return report.getUserMedia && report.peerConnection && report.webSocket && report.secureContext;
}

/**
 * RECORDER=browser: whether this browser's MediaRecorder makes any of the types the page records
 * in (and serve accepts). Without one the page would record nothing and the interview could only
 * fail for want of its recording, so the preflight does not let the candidate join.
 */
export function canRecordInterview(win: { MediaRecorder?: { isTypeSupported?: unknown } } = window as never): boolean {
  const isTypeSupported = win.MediaRecorder?.isTypeSupported;
  if (typeof isTypeSupported !== 'function') return false;
  return (
    pickRecordingType((type) => {
      try {
        return isTypeSupported.call(win.MediaRecorder, type) === true;
      } catch {
        return false;
      }
    }) !== undefined
  );
}

export type DeviceProblem = 'denied' | 'unavailable';

/** Sorts a getUserMedia failure into "the candidate said no" and "the device did not start". */
export function classifyMediaError(error: unknown): DeviceProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  const message = error instanceof Error ? error.message : String(error);
  if (/permission|denied|not allowed/i.test(message)) return 'denied';
  return 'unavailable';
}

/** True for errors that came from asking for a camera or microphone. */
export function isMediaError(error: unknown): boolean {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  return [
    'NotAllowedError',
    'SecurityError',
    'PermissionDeniedError',
    'NotFoundError',
    'DevicesNotFoundError',
    'NotReadableError',
    'TrackStartError',
    'OverconstrainedError',
    'ConstraintNotSatisfiedError',
    'AbortError',
  ].includes(name);
}
