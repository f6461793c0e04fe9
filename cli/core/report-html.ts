import { clock, consentText, evaluationLine, recordingCheckText, overrideOf, SPEAKER, type ReportModel } from './report.js';

/**
 * The report as one self-contained HTML file: the video beside its transcript (clicking a line,
 * a quote or an integrity note seeks there; the current line follows playback), the advisory
 * scorecard, the review and the integrity notes. Everything from candidates and models is escaped;
 * a Content-Security-Policy allows only this file's own script and style (by hash) and the video.
 */

/** Text for HTML content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ') : '-');
const sec = (ms: number) => (ms / 1000).toFixed(3);

const STYLE = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#5b6470;--line:#d9dde3;--accent:#0b5cad;--warn:#8a4b00;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;background:#fff;border-bottom:1px solid var(--line)}h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}h3{font-size:15px;margin:0 0 6px}
.meta{color:var(--muted);margin:0}.advisory{display:inline-block;padding:1px 8px;border-radius:10px;background:#fff4e0;color:var(--warn);font-weight:600;font-size:13px}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:20px;padding:20px 24px}@media (max-width:900px){main{grid-template-columns:1fr}}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:16px}section>h2:first-child{margin-top:0}
.side{position:sticky;top:12px;align-self:start}
video{width:100%;background:#000;border-radius:6px}.expiry{color:var(--muted);font-size:13px;margin:6px 0 0}
#transcript{max-height:70vh;overflow:auto;margin:0;padding:0;list-style:none}#transcript li{padding:4px 6px;border-radius:4px}
#transcript li.current{background:#e6f0fb;outline:1px solid #b8d3f0}.who{font-weight:600}.t{color:var(--muted);font-variant-numeric:tabular-nums}
button.seek{all:unset;cursor:pointer;display:block;width:100%}button.seek:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.q{border-top:1px solid var(--line);padding:10px 0}.q:first-of-type{border-top:0}.score{font-weight:700;font-size:18px}
.unsupported{color:var(--warn);font-weight:600}.quote{margin:6px 0;padding:4px 10px;border-left:3px solid var(--accent);background:#f3f7fc;border-radius:0 4px 4px 0}
.dropped{color:var(--muted);font-size:13px}.note{color:var(--muted);font-size:13px}.warn{color:#b00020;font-weight:600}table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}
`;

// Seeks on clicks and keeps the current transcript line in view while the video plays.
const SCRIPT = `
(function(){var v=document.getElementById('video');var lines=[].slice.call(document.querySelectorAll('#transcript li'));var cur=null;
function seek(t){if(!v)return;v.currentTime=t;var p=v.play();if(p&&p.catch)p.catch(function(){});}
document.addEventListener('click',function(e){var el=e.target.closest?e.target.closest('[data-start]'):null;if(!el)return;e.preventDefault();seek(parseFloat(el.getAttribute('data-start')));});
function follow(){if(!v)return;var t=v.currentTime,hit=null;for(var i=0;i<lines.length;i++){var s=parseFloat(lines[i].getAttribute('data-from'));if(s<=t+0.05)hit=lines[i];else break;}
if(hit===cur)return;if(cur){cur.classList.remove('current');cur.removeAttribute('aria-current');}cur=hit;if(cur){cur.classList.add('current');cur.setAttribute('aria-current','true');
var box=document.getElementById('transcript');var top=cur.offsetTop-box.offsetTop;if(top<box.scrollTop||top>box.scrollTop+box.clientHeight-cur.offsetHeight)box.scrollTop=top-box.clientHeight/3;}}
if(v){v.addEventListener('timeupdate',follow);v.addEventListener('seeked',follow);}})();
`;

/** A CSP source for the video: its origin and path (the query, which signs it, is not matched). */
export function mediaSource(url: string): string {
  const u = new URL(url);
  if (u.protocol === 'file:') return 'file:';
  return `${u.origin}${u.pathname}`.replace(/[;,\s']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `hash` turns a script or style body into its CSP source (`'sha256-…'`); the caller has the crypto. */
export function reportHtml(m: ReportModel, hash: (body: string) => string): string {
  const i = m.interview;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(SCRIPT)}`,
    `style-src ${hash(STYLE)}`,
    `media-src ${m.video ? mediaSource(m.video.url) : "'none'"}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const card = m.evaluation?.scorecard ?? null;

  const video = m.video
    ? `<video id="video" controls preload="metadata" playsinline src="${esc(m.video.url)}"></video>
<p class="expiry">${m.video.expiresAt ? `Video link valid until <strong>${esc(iso(m.video.expiresAt))}</strong> (a presigned link; run <code>interviewctl report ${esc(i.id)} --format html</code> again for a fresh one).` : 'Video from a local folder; the link does not expire but works only on this machine.'}</p>`
    : '<p class="note">No recording for this interview.</p>';

  const transcript = m.utterances.length
    ? `<ol id="transcript">${m.utterances
        .map(
          (u) =>
            `<li id="u${u.seq}" data-from="${sec(u.startMs)}" data-to="${sec(u.endMs)}"><button class="seek" data-start="${sec(u.startMs)}" title="Play from ${clock(u.startMs)}"><span class="t">${clock(u.startMs)}</span> <span class="who">${SPEAKER[u.speaker]}:</span> ${u.text === null ? '<em>(speaking; no text recorded)</em>' : esc(u.text)}</button></li>`,
        )
        .join('\n')}</ol>`
    : '<p class="note">No transcript.</p>';

  const scorecard = card
    ? `<p><span class="advisory">Advisory</span> An AI assessment of the answers' content, for a person to decide. Scale ${card.scale.min}–${card.scale.max}. Every quote was checked against the transcript.</p>
${card.questions
  .map((q) => {
    const o = overrideOf(m, q.question);
    return `<div class="q" id="q${q.question}"><h3>${q.question}. ${esc(q.text)}${q.competency ? ` <span class="note">[${esc(q.competency)}]</span>` : ''}</h3>
<p><span class="score">${q.score}</span> / ${card.scale.max} <span class="note">AI score</span>${o !== undefined ? ` · <strong>${o}</strong> <span class="note">reviewer's score</span>` : ''}${q.support === 'unsupported' ? ' · <span class="unsupported">unsupported: no quote for it is in the transcript</span>' : ''}</p>
<p>${esc(q.rationale)}</p>
${q.evidence.map((e) => `<blockquote class="quote"><button class="seek evidence" data-start="${sec(e.startMs)}" data-utterance="${e.utterance}" title="Play from ${clock(e.startMs)}"><span class="t">${clock(e.startMs)}</span> “${esc(e.quote)}”</button></blockquote>`).join('\n')}
${q.dropped.map((d) => `<p class="dropped">Dropped quote (${esc(d.reason)}): “${esc(d.quote)}”</p>`).join('\n')}</div>`;
  })
  .join('\n')}
<h3>Summary</h3><p>${esc(card.summary)}</p>
${card.strengths.length ? `<h3>Strengths</h3><ul>${card.strengths.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}
${card.concerns.length ? `<h3>Concerns</h3><ul>${card.concerns.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}
<p><strong>Advisory recommendation: ${esc(card.recommendation)}</strong> <span class="note">(the AI never decides; a person does)</span></p>
<p class="note">Model ${esc(m.evaluation!.model ?? '?')} · prompt ${esc((m.evaluation!.promptHash ?? '').slice(0, 12))} · rubric ${esc((m.evaluation!.rubricHash ?? '').slice(0, 12))} · ${esc(iso(m.evaluation!.finishedAt))}${m.evaluation!.earlierRuns ? ` · ${m.evaluation!.earlierRuns} earlier run(s) kept` : ''}</p>`
    : `<p class="note">${esc(evaluationLine(m))}.</p>`;

  const review = m.review
    ? `<p><strong>Decision: ${esc(m.review.decision)}</strong> by ${esc(m.review.reviewer)}, ${esc(iso(m.review.at))}</p>${m.review.note ? `<p>${esc(m.review.note)}</p>` : ''}`
    : `<p class="note">No decision yet. Record one with <code>interviewctl review ${esc(i.id)} --decision advance|hold|decline</code>.</p>`;

  const check = m.recordingCheck
    ? `<p class="${m.recordingCheck.agrees ? 'note' : 'warn'}" id="recording-check">${esc(recordingCheckText(m.recordingCheck))}</p>`
    : '';
  const integrity = m.integrity.length
    ? `<p class="note">What the candidate's page reported during the interview, for a person to read in context. Never scored, never a verdict.</p><ul id="integrity">${m.integrity
        .map((n) => {
          const span = `${Math.max(1, Math.round((n.endedAt.getTime() - n.startedAt.getTime()) / 1000))}s`;
          return n.startMs === null
            ? `<li>${esc(iso(n.startedAt))}: ${esc(n.label)} for ${span}</li>`
            : `<li><button class="seek" data-start="${sec(n.startMs)}"><span class="t">${clock(n.startMs)}–${clock(n.endMs!)}</span> ${esc(n.label)} for ${span}</button></li>`;
        })
        .join('')}</ul>`
    : '<p class="note">None reported.</p>';

  const consent = m.consents.length
    ? `<ul id="consent">${m.consents.map((c) => `<li>${esc(consentText(c))}</li>`).join('')}</ul>`
    : '<p class="note">None recorded.</p>';

  return `<!doctype html>
<html lang="${i.lang === 'ja' ? 'ja' : 'en'}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interview report: ${esc(i.candidateName)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${esc(i.candidateName)}${i.ref ? ` <span class="note">ref ${esc(i.ref)}</span>` : ''}</h1>
<p class="meta">Interview ${esc(i.id)} · ${esc(i.questionSet)} (${m.questions.length} questions, ${esc(i.lang)}) · completed ${esc(iso(i.completedAt))} · report made ${esc(iso(m.generatedAt))}</p></header>
<main>
<div>
<section aria-label="Recording">${video}</section>
<section aria-labelledby="h-score"><h2 id="h-score">Scorecard</h2>${scorecard}</section>
<section aria-labelledby="h-review"><h2 id="h-review">Review</h2>${review}</section>
<section aria-labelledby="h-integrity"><h2 id="h-integrity">Integrity notes</h2>${check}${integrity}</section>
<section aria-labelledby="h-consent"><h2 id="h-consent">Consent</h2>${consent}</section>
</div>
<div class="side"><section aria-labelledby="h-transcript"><h2 id="h-transcript">Transcript</h2>${transcript}</section></div>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
