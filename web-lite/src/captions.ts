// Live captions: one line per transcription segment, updated in place as text streams in.
import { t } from './i18n';

export type Speaker = 'agent' | 'you';

interface Line {
  element: HTMLElement;
  label: HTMLElement;
  text: HTMLElement;
  speaker: Speaker;
}

/** Captions kept on screen; older ones scroll away for good. */
const MAX_LINES = 200;

export class CaptionLog {
  private readonly lines = new Map<string, Line>();

  constructor(
    private readonly container: HTMLElement,
    private readonly placeholder: HTMLElement,
  ) {}

  /** Adds or updates the line for `segmentId`. Empty text is ignored (speech without a transcript). */
  upsert(segmentId: string, speaker: Speaker, text: string, final: boolean): void {
    const trimmed = text.trim();
    const follow = this.isNearEnd();
    let line = this.lines.get(segmentId);
    if (!line) {
      if (!trimmed) return;
      line = this.createLine(speaker);
      this.lines.set(segmentId, line);
      this.placeholder.hidden = true;
      this.container.append(line.element);
      this.trim();
    }
    if (trimmed && line.text.textContent !== trimmed) line.text.textContent = trimmed;
    line.element.dataset.final = String(final);
    if (follow) this.container.scrollTop = this.container.scrollHeight;
  }

  /** Re-labels the speakers after a language switch. */
  render(): void {
    for (const line of this.lines.values()) line.label.textContent = speakerLabel(line.speaker);
  }

  clear(): void {
    for (const line of this.lines.values()) line.element.remove();
    this.lines.clear();
    this.placeholder.hidden = false;
  }

  private createLine(speaker: Speaker): Line {
    const element = document.createElement('p');
    element.className = 'caption';
    element.dataset.speaker = speaker;
    const label = document.createElement('span');
    label.className = 'caption-speaker';
    label.textContent = speakerLabel(speaker);
    const text = document.createElement('span');
    text.className = 'caption-text';
    element.append(label, text);
    return { element, label, text, speaker };
  }

  private trim(): void {
    while (this.lines.size > MAX_LINES) {
      const [oldestId, oldest] = this.lines.entries().next().value as [string, Line];
      oldest.element.remove();
      this.lines.delete(oldestId);
    }
  }

  /** Follow the conversation unless the candidate scrolled up to reread something. */
  private isNearEnd(): boolean {
    const distanceFromEnd = this.container.scrollHeight - this.container.scrollTop - this.container.clientHeight;
    return distanceFromEnd < 48;
  }
}

function speakerLabel(speaker: Speaker): string {
  return speaker === 'you' ? t('interview.you') : t('interview.interviewer');
}
