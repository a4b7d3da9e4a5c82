/**
 * The building blocks of simulated users. Combined at random (seeded), 64 names x 26 initials x
 * 40 situations x 12 styles x choices of interests give far more distinct people than any pool.
 */

export const FIRST_NAMES: readonly string[] = [
  'Maya', 'Liam', 'Sofia', 'Noah', 'Amara', 'Lukas', 'Priya', 'Mateo', 'Hana', 'Oliver', 'Zainab', 'Jonas',
  'Elena', 'Kwame', 'Ingrid', 'Diego', 'Mei', 'Tomasz', 'Leila', 'Samuel', 'Aiko', 'Rafael', 'Chloe', 'Arjun',
  'Freya', 'Omar', 'Isabel', 'Felix', 'Nadia', 'Ethan', 'Yara', 'Marco', 'Grace', 'Emeka', 'Sanna', 'Hugo',
  'Lucia', 'Dmitri', 'Aisha', 'Ben', 'Camille', 'Tariq', 'Rosa', 'Kenji', 'Ava', 'Pedro', 'Nora', 'Vikram',
  'Julia', 'Ade', 'Mila', 'Connor', 'Fatima', 'Jakob', 'Lina', 'Theo', 'Ines', 'Malik', 'Clara', 'Sven',
  'Tessa', 'Ravi', 'Greta', 'Jamal',
];

export const SITUATIONS: readonly string[] = [
  'a nurse working night shifts at a city hospital',
  'a university student in the second year of a biology degree',
  'a freelance graphic designer working from home',
  'a retired school teacher living in a small town',
  'a new parent on parental leave with a three-month-old baby',
  'a software developer who just moved to a new city for work',
  'a small bakery owner who gets up at 4 a.m.',
  'a high-school student preparing for final exams',
  'a warehouse worker saving up for a first car',
  'a project manager juggling too many meetings',
  'an apprentice electrician in the first year of training',
  'a single parent of two kids who works part-time in retail',
  'a PhD student writing a thesis on climate models',
  'a bus driver who likes quiet evenings at home',
  'someone recovering from a knee operation and stuck at home for a few weeks',
  'a chef at a busy restaurant with irregular hours',
  'a marketing intern at a start-up',
  'a farmer who runs a family dairy farm',
  'a pharmacist who recently changed jobs',
  'a stay-at-home dad of three',
  'an architect working on a big renovation project',
  'a call-centre agent who wants to change careers',
  'an accountant in the middle of tax season',
  'a musician who gives piano lessons to pay the rent',
  'a veterinary assistant who loves animals',
  'a language teacher who moved abroad last year',
  'a retired engineer who volunteers at a repair café',
  'a student nurse doing a placement on a children’s ward',
  'a delivery cyclist who studies in the evenings',
  'a lab technician who just adopted a dog',
  'someone who just got divorced and is starting over',
  'a junior lawyer working long hours',
  'a hairdresser saving up to open a salon',
  'a museum guide who is learning to code',
  'a grandparent who looks after the grandchildren twice a week',
  'a carpenter with a small workshop',
  'a social worker who finds it hard to switch off after work',
  'a data analyst who recently started running',
  'an exchange student spending a year abroad',
  'a firefighter on a rotating schedule',
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

export const AGE_RANGE = { min: 16, max: 78 } as const;
