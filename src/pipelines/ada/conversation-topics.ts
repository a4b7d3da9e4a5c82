import { pick, type Random } from '../../core/random.js';
import type { SimulatedUser } from './simulated-users.js';

/** The openings that ask for Ada's memory or diary: a conversation planned with tools may open on one. */
export const MEMORY_TOPICS: readonly string[] = [
  'Tell Ada a few personal facts (a name, a date, an allergy or a preference) and ask her to remember them.',
  'Ask Ada what she remembers about you from your earlier chats.',
  'Something you told Ada before is no longer true; tell her and ask her to update it.',
  'You had an eventful day and want Ada to note it in her diary.',
  'Ask Ada what she wrote in her diary about your last conversation.',
];

/**
 * What a conversation opens with, written as an instruction to the tester. Many openings, plus
 * openings built from the user's own interests, so 5,000 conversations do not start alike. Some
 * invite Ada's tools (facts worth remembering, questions about earlier chats, diary notes).
 */
export const TOPICS: readonly string[] = [
  'You want ideas for cheap, quick dinners you can cook after work.',
  'You started exercising again and want help planning the next few weeks.',
  'You have a job interview soon and you are nervous about it.',
  'You are planning a trip and cannot decide where to go.',
  'You keep waking up at night and want to sleep better.',
  'You want to save money for something specific and keep overspending.',
  'You are moving house soon and feel overwhelmed by it.',
  'You need a birthday present for someone close to you.',
  'You had an argument with a friend and do not know how to make it right.',
  'You want to learn a new skill but keep putting it off.',
  'Work has been stressful lately and you want to talk it through.',
  'You are hosting people for dinner this weekend and need a plan.',
  'Your houseplants keep dying and you want to know why.',
  'You want book, film or music recommendations based on what you already like.',
  'You are thinking about changing jobs and want to weigh the options.',
  'You have a health appointment coming up and want to prepare questions.',
  'You want to build a small daily routine that actually sticks.',
  'You are helping a family member with something and need advice.',
  ...MEMORY_TOPICS,
  'You need help writing a short, slightly awkward message to someone.',
  'You are trying to understand something technical you read about today.',
  'You want to get back into a hobby you dropped years ago.',
  'You are making a decision and want Ada to help you think it through.',
  'You just got some good news and want to share it.',
  'You want a plan for a lazy but pleasant weekend.',
  'You are worried about an upcoming exam, deadline or presentation.',
  'Your pet is behaving strangely and you want to know if it is normal.',
  'You want to eat healthier without giving up the food you love.',
  'You are bored and want Ada to suggest something to do tonight.',
  'You want to fix or build something at home yourself.',
  'You are learning a language and want tips to practice speaking.',
  'You want to reconnect with an old friend and do not know how to start.',
];

const INTEREST_TOPICS: readonly string[] = [
  'You have a question about {interest}.',
  'Something happened today related to {interest} and you want to talk about it.',
  'You want to get better at {interest} and ask for advice.',
  'You are stuck with a problem related to {interest}.',
];

const INTEREST_SHARE = 0.35;

/** A topic for one conversation: sometimes from the user's interests, otherwise from the list. */
export function pickTopic(random: Random, user: SimulatedUser): string {
  return pickTopicFrom(random, user, TOPICS);
}

function pickTopicFrom(random: Random, user: SimulatedUser, topics: readonly string[]): string {
  if (user.interests.length > 0 && random() < INTEREST_SHARE) {
    const interest = pick(random, user.interests);
    return pick(random, INTEREST_TOPICS).replace('{interest}', interest);
  }
  return pick(random, topics);
}

/** Whether a conversation is steered toward Ada's memory and diary (`--tool-share`, tool-share-steering.ts). */
export type ToolPlan = 'tools' | 'no-tools';

/**
 * Given to the tester after the topic. Only the simulated user is steered: Ada's system prompt
 * stays the one her training data teaches, and she still decides for herself whether to call.
 */
export const TOOL_PLAN_INSTRUCTIONS: Readonly<Record<ToolPlan, string>> = Object.freeze({
  tools:
    'Along the way, also ask Ada to remember something about you, ask what she remembers from your earlier chats, or ask her to note something in her diary.',
  'no-tools':
    'Keep this chat to the topic: do not ask Ada to remember anything, do not ask what she remembers from earlier chats, and do not ask her to write in her diary.',
});

const EVERYDAY_TOPICS: readonly string[] = TOPICS.filter((topic) => !MEMORY_TOPICS.includes(topic));

/** Some conversations planned with tools open on a memory topic; there are only five, so a larger share would make each commoner than any other opening. */
const MEMORY_TOPIC_SHARE = 0.15;

export interface SteeredTopic {
  /** The topic as saved in `metadata.topic`. */
  readonly topic: string;
  /** What the tester prompt's `{{topic}}` is filled with: the topic and the plan's instruction. */
  readonly testerTopic: string;
}

/** A topic for a conversation planned with or without tools; a no-tools one never opens on a memory topic. */
export function pickSteeredTopic(random: Random, user: SimulatedUser, plan: ToolPlan): SteeredTopic {
  const topic = plan === 'tools' && random() < MEMORY_TOPIC_SHARE ? pick(random, MEMORY_TOPICS) : pickTopicFrom(random, user, EVERYDAY_TOPICS);
  return { topic, testerTopic: `${topic} ${TOOL_PLAN_INSTRUCTIONS[plan]}` };
}
