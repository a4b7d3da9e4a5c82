/** What the scripted assistant ("Ada") says. `{0}`, `{1}` are words from the user's message. */

export const REPLY_REASONING: readonly string[] = [
  'The user is asking about {0}. A short, practical answer works best here, no need to overwhelm them.',
  'They want help with {0} and maybe {1}. I should give one concrete first step and offer more detail.',
  'This is about {0}. I do not need a tool for this; a friendly, direct answer is enough.',
  'The question is really about {0}. Keep it simple, mention {1} only briefly, and ask if they want more.',
  'The user sounds a bit unsure about {0}. Reassure them first, then suggest something small to try.',
];

export const REPLIES: readonly string[] = [
  'Good question! With {0}, the easiest start is to keep it small: pick one thing, try it for a week, and see how it feels.',
  'Honestly, {0} is less of a big deal than it sounds. Start simple, and if {1} becomes a problem, adjust from there.',
  "I'd start with {0}. Give it a few days before changing anything else, and note what works.",
  "A lot of people struggle with {0} at first. Try splitting it into smaller steps, and don't be too hard on yourself.",
  "Here's what I'd do: first sort out {0}, then look at {1}. Want me to go into more detail on either?",
  'That sounds exciting! For {0}, a little planning goes a long way. Would a short checklist help?',
  "Short answer: yes, {0} matters, but {1} matters more. Focus there first and you'll see progress quickly.",
  "It depends a bit on your situation, but for {0} most people do well with a simple routine. Shall we make one together?",
];

export const FALLBACK_WORDS: readonly string[] = ['that', 'this plan', 'the first step', 'your routine'];

export const TOOL_INTRODUCTIONS: Readonly<Record<string, readonly string[]>> = {
  add_memory: ['Got it, let me note that down.', "Thanks for telling me, I'll remember that.", 'Noted! Saving that for later.'],
  recall_memories: ['Let me check what I have saved.', 'One moment, let me look at my notes.', 'Let me see what I remember.'],
  add_diary: ['Sure, adding that to your diary.', "Of course, I'll write that down in your diary.", 'Writing that in the diary now.'],
  recall_diary: ['Let me open your diary.', 'One second, checking the diary.', "Let me see what's in your diary."],
  delete_memory: ["Okay, I'll remove that one.", 'No problem, deleting that memory.', 'Sure, forgetting that now.'],
};

export const TOOL_REASONING: Readonly<Record<string, string>> = {
  add_memory: 'Worth remembering: "{0}". I will save it as a memory for later conversations and keep my answer short.',
  recall_memories: 'The user is asking about something from before. I should check my saved memories instead of guessing.',
  add_diary: 'The user wants this in the diary. I will add a short entry that captures it in their words.',
  recall_diary: 'The user wants to know what is in the diary. I will look it up before answering.',
  delete_memory: 'Memory 1 no longer fits what the user is telling me now, so I will delete it to keep my notes accurate.',
};

export const CONTINUATION_REASONING: readonly string[] = [
  'The tool returned "{0}". {1} Now I can answer the user directly.',
  'Result: "{0}". {1} I will keep the reply short and friendly.',
  'I got back "{0}". {1} No further tool call is needed.',
];

export const CONTINUATION_ASSESSMENT: Readonly<Record<ContinuationKind, string>> = {
  failed: 'Something went wrong, so I should apologize and ask again.',
  empty: 'There is nothing saved yet, so I should say so honestly.',
  listing: 'That is the list I was looking for.',
  done: 'That worked.',
};

export type ContinuationKind = 'failed' | 'empty' | 'listing' | 'done';

export const CONTINUATION_REPLIES: Readonly<Record<ContinuationKind, readonly string[]>> = {
  failed: ['Sorry, something went wrong on my side. Could you tell me that again?', 'Hmm, that did not work. Can you repeat it so I can try once more?'],
  empty: ["I don't have anything saved about that yet. Tell me and I'll remember it!", 'Nothing there yet, but I can start keeping track now if you like.'],
  listing: ["Here's what I have: {0}", 'This is what I found: {0}. Anything you want to add?'],
  done: ["Done! I'll keep that in mind.", 'All set. Anything else?', "Saved. Now, back to your question: let's take it one step at a time."],
};
