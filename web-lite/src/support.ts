// Can this browser hold a video call at all? Checked before asking for the camera, so an old
// browser gets a plain "use another browser" instead of a cryptic failure later.

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
