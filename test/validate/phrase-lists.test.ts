/**
 * The phrase lists on what they must catch and on the near misses people write every day, which
 * they must not: a false refusal label throws away a good conversation.
 */
import { describe, expect, it } from 'vitest';
import { findPhrase, REFUSAL_PHRASES, TESTER_AS_ASSISTANT_PHRASES } from '../../src/validate/index.js';

describe('refusals and apologies in a reply', () => {
  it.each([
    "I can't help with that.",
    'I cannot help you with this request.',
    'Sorry, but I won’t assist with that.',
    "I'm sorry, but I can't do that for you.",
    'I apologize, but I am unable to share that.',
    'My apologies, I cannot continue.',
    "I'm afraid I can't comply.",
    'I must decline.',
    'As an AI language model, I do not have access to your files.',
    'As an AI, I don’t have a favourite colour.',
    "I don't have personal opinions on politics.",
    'Unfortunately I am not able to fulfill that request.',
  ])('"%s" is a refusal', (text) => {
    expect(findPhrase(text, REFUSAL_PHRASES)).toBeDefined();
  });

  it.each([
    "I'm sorry to hear that your trip was cancelled.",
    "I can't wait to hear how the concert goes!",
    "Sorry, I can't believe I forgot to ask: how did it go?",
    "I can't help but notice you mentioned your dog again.",
    'I can help with that! Here is a plan.',
    'If I cannot find it in my notes, I will ask you.',
    'As an aide to your memory, I saved it.',
    'Your brother works as an AI researcher, right?',
    'That must be frustrating; apologies are hard.',
    "You can't help with everything, and that's fine.",
    'I have no feelings about pineapple on pizza, but you clearly do!',
  ])('"%s" is not', (text) => {
    expect(findPhrase(text, REFUSAL_PHRASES)).toBeUndefined();
  });
});

describe('the simulated user speaking as the assistant', () => {
  it.each([
    'Hello! How can I help you today?',
    'How may I assist you?',
    'Is there anything else I can help you with?',
    'As your assistant, I recommend a short walk.',
    "I'm here to help!",
    'Let me know if you have any other questions.',
    "Don't hesitate to reach out.",
    'Great question. I hope this helps!',
    'As an AI, I would suggest the blue one.',
  ])('"%s" reads as the assistant', (text) => {
    expect(findPhrase(text, TESTER_AS_ASSISTANT_PHRASES)).toBeDefined();
  });

  it.each([
    'How can I help my son with his homework?',
    'Can you help me today?',
    'My sister works as your assistant manager, funny right?',
    "I'm here to help my mom move this weekend.",
    'I hope this helps me sleep better.',
    'Is there anything else I should pack?',
    'Do you have any questions for me?',
    'how can i help you remember things better',
  ])('"%s" is a user talking', (text) => {
    expect(findPhrase(text, TESTER_AS_ASSISTANT_PHRASES)).toBeUndefined();
  });
});
