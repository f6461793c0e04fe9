// Microphone level meter: an AnalyserNode on the preview stream, drawn as a bar.

/** Maps an RMS amplitude to 0..1 on a -60 dBFS..0 dBFS scale, which matches how loud speech feels. */
export function levelFromRms(rms: number): number {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

export class MicMeter {
  private context: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private samples: Float32Array<ArrayBuffer> | null = null;
  private frame = 0;
  private shown = 0;
  private lastAriaUpdate = 0;
  private heardSpeech = false;

  constructor(
    private readonly meter: HTMLElement,
    private readonly fill: HTMLElement,
    private readonly onHeard: () => void = () => {},
  ) {}

  /** Starts measuring `stream`'s audio track; replaces whatever was measured before. */
  attach(stream: MediaStream): void {
    this.detach();
    if (stream.getAudioTracks().length === 0) return;
    const AudioContextClass = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AudioContextClass) return;
    this.context ??= new AudioContextClass();
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.samples = new Float32Array(new ArrayBuffer(this.analyser.fftSize * 4));
    this.source = this.context.createMediaStreamSource(stream);
    this.source.connect(this.analyser);
    this.tick();
  }

  /** Browsers start an AudioContext suspended until the page has been interacted with. */
  get suspended(): boolean {
    return this.context?.state === 'suspended';
  }

  resume(): Promise<void> {
    return this.context?.state === 'suspended' ? this.context.resume() : Promise.resolve();
  }

  detach(): void {
    cancelAnimationFrame(this.frame);
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.draw(0);
  }

  close(): void {
    this.detach();
    void this.context?.close().catch(() => {});
    this.context = null;
  }

  private readonly tick = (): void => {
    if (!this.analyser || !this.samples) return;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    const level = levelFromRms(Math.sqrt(sum / this.samples.length));
    // Fast attack, slow release: the bar jumps with the voice and settles gently.
    this.shown = level > this.shown ? level : this.shown * 0.9 + level * 0.1;
    this.draw(this.shown);
    if (!this.heardSpeech && level > 0.35) {
      this.heardSpeech = true;
      this.onHeard();
    }
    this.frame = requestAnimationFrame(this.tick);
  };

  private draw(level: number): void {
    // CSSOM writes are allowed under a CSP without 'unsafe-inline'; style attributes are not.
    // Clipping (not scaling) keeps the green-to-red scale fixed under the bar.
    this.fill.style.clipPath = `inset(0 ${(100 - level * 100).toFixed(1)}% 0 0)`;
    this.meter.dataset.active = level > 0.08 ? 'true' : 'false';
    const now = performance.now();
    if (now - this.lastAriaUpdate > 500) {
      this.lastAriaUpdate = now;
      this.meter.setAttribute('aria-valuenow', String(Math.round(level * 100)));
    }
  }
}
