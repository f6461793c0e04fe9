import { describe, expect, it } from 'vitest';
import { chooseInterviewerMode, describeInterviewerMode } from './interviewer-mode.js';

describe('chooseInterviewerMode', () => {
  it('runs the model only with speech-to-text', () => {
    expect(chooseInterviewerMode({ llmModel: 'gpt-x', speechToText: true })).toEqual({ mode: 'llm', model: 'gpt-x' });
    const noStt = chooseInterviewerMode({ llmModel: 'gpt-x', speechToText: false });
    expect(noStt.mode).toBe('scripted');
    expect(describeInterviewerMode(noStt)).toContain('DEEPGRAM_API_KEY');
  });
  it('says why it is scripted', () => {
    expect(describeInterviewerMode(chooseInterviewerMode({ llmModel: undefined, speechToText: true }))).toContain('LLM_BASE_URL');
    expect(describeInterviewerMode(chooseInterviewerMode({ llmModel: 'm', speechToText: true, llmUnavailable: 'connection refused' }))).toBe(
      'scripted: LLM unavailable: connection refused',
    );
  });
});
