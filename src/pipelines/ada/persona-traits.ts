/**
 * The building blocks of simulated users. Combined at random (seeded), 64 names x 26 initials x
 * 40 situations x 12 styles x choices of interests give far more distinct people than any pool.
 */

export interface Situation {
  readonly text: string;
  readonly minAge: number;
  readonly maxAge: number;
}

export const FIRST_NAMES: readonly string[] = [
  'Maya', 'Liam', 'Sofia', 'Noah', 'Amara', 'Lukas', 'Priya', 'Mateo', 'Hana', 'Oliver', 'Zainab', 'Jonas',
  'Elena', 'Kwame', 'Ingrid', 'Diego', 'Mei', 'Tomasz', 'Leila', 'Samuel', 'Aiko', 'Rafael', 'Chloe', 'Arjun',
  'Freya', 'Omar', 'Isabel', 'Felix', 'Nadia', 'Ethan', 'Yara', 'Marco', 'Grace', 'Emeka', 'Sanna', 'Hugo',
  'Lucia', 'Dmitri', 'Aisha', 'Ben', 'Camille', 'Tariq', 'Rosa', 'Kenji', 'Ava', 'Pedro', 'Nora', 'Vikram',
  'Julia', 'Ade', 'Mila', 'Connor', 'Fatima', 'Jakob', 'Lina', 'Theo', 'Ines', 'Malik', 'Clara', 'Sven',
  'Tessa', 'Ravi', 'Greta', 'Jamal',
];

/** What the person does and where they are in life, with the ages that fit it. */
export const SITUATIONS: readonly Situation[] = [
  { text: 'a nurse working night shifts at a city hospital', minAge: 24, maxAge: 60 },
  { text: 'a university student in the second year of a biology degree', minAge: 19, maxAge: 26 },
  { text: 'a freelance graphic designer working from home', minAge: 23, maxAge: 55 },
  { text: 'a retired school teacher living in a small town', minAge: 62, maxAge: 78 },
  { text: 'a new parent on parental leave with a three-month-old baby', minAge: 24, maxAge: 42 },
  { text: 'a software developer who just moved to a new city for work', minAge: 22, maxAge: 45 },
  { text: 'a small bakery owner who gets up at 4 a.m.', minAge: 28, maxAge: 62 },
  { text: 'a high-school student preparing for final exams', minAge: 16, maxAge: 19 },
  { text: 'a warehouse worker saving up for a first car', minAge: 18, maxAge: 30 },
  { text: 'a project manager juggling too many meetings', minAge: 28, maxAge: 58 },
  { text: 'an apprentice electrician in the first year of training', minAge: 16, maxAge: 24 },
  { text: 'a single parent of two kids who works part-time in retail', minAge: 26, maxAge: 48 },
  { text: 'a PhD student writing a thesis on climate models', minAge: 24, maxAge: 34 },
  { text: 'a bus driver who likes quiet evenings at home', minAge: 30, maxAge: 64 },
  { text: 'someone recovering from a knee operation and stuck at home for a few weeks', minAge: 20, maxAge: 75 },
  { text: 'a chef at a busy restaurant with irregular hours', minAge: 22, maxAge: 55 },
  { text: 'a marketing intern at a start-up', minAge: 20, maxAge: 27 },
  { text: 'a farmer who runs a family dairy farm', minAge: 25, maxAge: 68 },
  { text: 'a pharmacist who recently changed jobs', minAge: 26, maxAge: 60 },
  { text: 'a stay-at-home dad of three', minAge: 28, maxAge: 48 },
  { text: 'an architect working on a big renovation project', minAge: 28, maxAge: 62 },
  { text: 'a call-centre agent who wants to change careers', minAge: 20, maxAge: 45 },
  { text: 'an accountant in the middle of tax season', minAge: 25, maxAge: 62 },
  { text: 'a musician who gives piano lessons to pay the rent', minAge: 22, maxAge: 60 },
  { text: 'a veterinary assistant who loves animals', minAge: 19, maxAge: 45 },
  { text: 'a language teacher who moved abroad last year', minAge: 24, maxAge: 55 },
  { text: 'a retired engineer who volunteers at a repair café', minAge: 63, maxAge: 78 },
  { text: 'a student nurse doing a placement on a children’s ward', minAge: 19, maxAge: 30 },
  { text: 'a delivery cyclist who studies in the evenings', minAge: 18, maxAge: 30 },
  { text: 'a lab technician who just adopted a dog', minAge: 22, maxAge: 50 },
  { text: 'someone who just got divorced and is starting over', minAge: 30, maxAge: 65 },
  { text: 'a junior lawyer working long hours', minAge: 24, maxAge: 32 },
  { text: 'a hairdresser saving up to open a salon', minAge: 20, maxAge: 40 },
  { text: 'a museum guide who is learning to code', minAge: 22, maxAge: 60 },
  { text: 'a grandparent who looks after the grandchildren twice a week', minAge: 55, maxAge: 78 },
  { text: 'a carpenter with a small workshop', minAge: 22, maxAge: 65 },
  { text: 'a social worker who finds it hard to switch off after work', minAge: 24, maxAge: 62 },
  { text: 'a data analyst who recently started running', minAge: 23, maxAge: 50 },
  { text: 'an exchange student spending a year abroad', minAge: 17, maxAge: 25 },
  { text: 'a firefighter on a rotating schedule', minAge: 21, maxAge: 55 },
];

export const INTERESTS: readonly string[] = [
  'cooking', 'running', 'gardening', 'travel', 'learning Spanish', 'sleep and routines', 'personal budgeting',
  'guitar', 'your dog', 'your cat', 'reading novels', 'coding side projects', 'houseplants', 'coffee',
  'sourdough baking', 'cycling', 'photography', 'woodworking', 'chess', 'watercolor painting', 'hiking',
  'knitting', 'board games', 'video games', 'fitness', 'meditation', 'jazz', 'podcasts', 'football',
  'astronomy', 'birdwatching', 'baking cakes', 'interior design', 'film', 'swimming', 'yoga', 'history',
  'camping', 'fashion', 'volunteering',
];

export const WRITING_STYLES: readonly string[] = [
  'short messages, all lowercase, hardly any punctuation',
  'friendly and chatty, with the occasional emoji',
  'polite and a bit formal, full sentences',
  'quick and to the point, often one line',
  'rambling, adds side details and thinks out loud',
  'casual, uses abbreviations like "tbh", "idk" and "btw"',
  'a little anxious, asks several small questions at once',
  'dry sense of humour, slightly sarcastic',
  'enthusiastic, lots of exclamation marks',
  'careful typist but vague about what they actually want',
  'makes frequent typos and does not correct them',
  'writes in short bursts, sometimes sends a follow-up that corrects the last message',
];

export const LAST_INITIALS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

