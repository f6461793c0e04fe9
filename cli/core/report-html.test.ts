import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mediaSource, reportHtml } from './report-html.js';
import { reportMarkdown, reportText, type ReportModel } from './report.js';

const hash = (body: string) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
const model = (over: Partial<ReportModel> = {}): ReportModel => ({
  generatedAt: new Date('2026-12-01T10:00:00Z'),
  interview: { id: 'abc', candidateName: '</title><script>alert(1)</script>', ref: null, questionSet: 'default', lang: 'en', status: 'completed', recordingStartedAt: new Date('2026-12-01T09:00:00Z'), completedAt: null, durationMs: 1 },
  questions: [{ text: 'Q<1>', timeLimitMs: 1 }],
  utterances: [{ seq: 0, speaker: 'candidate', kind: 'answer', questionIndex: 0, text: '"><img src=x onerror=alert(2)>', startMs: 1500, endMs: 2000 }],
  evaluation: null,
  review: null,
  integrity: [],
  consents: [],
  video: { url: 'https://bucket.example/recordings/a.mp4?X-Amz-Signature=abc&x=1', expiresAt: new Date('2026-12-08T10:00:00Z') },
  ...over,
});

describe('reportHtml', () => {
  it('escapes what candidates and models wrote and allows only its own script, by hash, and the video', () => {
    const html = reportHtml(model(), hash);
    expect(html).not.toMatch(/<script>alert|<img src=x/);
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain('media-src https://bucket.example/recordings/a.mp4');
    expect(csp).toMatch(/^default-src 'none'/);
    expect(html).toContain('src="https://bucket.example/recordings/a.mp4?X-Amz-Signature=abc&amp;x=1"');
    expect(html).toMatch(/valid until <strong>2026-12-08 10:00:00Z<\/strong>/);
    expect(html).toContain('data-start="1.500"');
  });

  it('prints the consent given with the join, or says none was recorded', () => {
    const consents = [{ at: new Date('2026-12-01T08:59:00Z'), version: '0123456789abcdef0123', lang: 'ja' }];
    const html = reportHtml(model({ consents }), hash);
    expect(/<ul id="consent">(.*?)<\/ul>/.exec(html)![1]).toContain('2026-12-01T08:59:00Z: agreed to disclosure 0123456789ab (ja)');
    expect(reportHtml(model(), hash)).toMatch(/Consent<\/h2><p class="note">None recorded/);
    expect(reportText(model({ consents }))).toMatch(/Consent\n {2}2026-12-01T08:59:00Z: agreed to disclosure 0123456789ab \(ja\)/);
    expect(reportMarkdown(model())).toContain('## Consent\n\n_None recorded._');
  });

  it('has no media source without a video', () => {
    expect(reportHtml(model({ video: null }), hash)).toContain("media-src &#39;none&#39;");
    expect(mediaSource('file:///tmp/a b.mp4')).toBe('file:');
  });
});
