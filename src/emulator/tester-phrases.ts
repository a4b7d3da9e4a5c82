/**
 * What the scripted tester says. An opening is greeting + situation + ask, drawn from one topic;
 * with ~40 topics x 3 situations x 3 asks x 12 greetings and the casual styling on top, thousands
 * of conversations start differently. Situations are first-person so the assistant can turn them
 * into memories ("I'm allergic to peanuts" -> "User is allergic to peanuts").
 */
export interface TesterTopic {
  /** A word that, found in the tester's system prompt, selects this topic. */
  readonly keyword: string;
  readonly situations: readonly string[];
  readonly asks: readonly string[];
}

export const GREETINGS: readonly string[] = [
  '', '', '', 'hey,', 'hi!', 'hello!', 'ok so', 'quick question.', 'hey Ada,', 'morning!', 'hiya!', 'um hi.',
];

export const TOPICS: readonly TesterTopic[] = [
  { keyword: 'cooking', situations: ["I'm trying to cook at home more instead of ordering takeout.", 'My sister is vegetarian and she is visiting next week.', 'I only have a rice cooker and one pan.'], asks: ['Any easy dinner ideas?', 'What could I make that is not just pasta again?', 'Where do I even start?'] },
  { keyword: 'running', situations: ['I started running three times a week.', 'I signed up for a 10k in October.', 'My knees hurt after long runs.'], asks: ['How should I plan the next few weeks?', 'Is that normal or should I worry?', 'What shoes should I look at?'] },
  { keyword: 'interview', situations: ['I have a job interview on Thursday for a data analyst role.', "I'm nervous about the salary question.", 'My last interview went really badly.'], asks: ['How do I prepare?', 'What should I say when they ask about weaknesses?', 'Can you help me practice?'] },
  { keyword: 'garden', situations: ['I just got a balcony that gets a lot of sun.', 'My tomato plants have yellow leaves.', 'I want to grow herbs for cooking.'], asks: ['What should I plant first?', 'What am I doing wrong?', 'How often should I water?'] },
  { keyword: 'travel', situations: ["I'm planning a trip to Lisbon in May.", "I've never traveled alone before.", 'My flight has a nine hour layover in Istanbul.'], asks: ['What should I not miss?', 'Any tips for staying safe?', 'Is it worth leaving the airport?'] },
  { keyword: 'language', situations: ["I'm learning Spanish with an app every morning.", "My partner's family speaks Portuguese.", 'I can read French but I freeze when I have to speak.'], asks: ['How do I get better at speaking?', 'How long until I can hold a conversation?', 'Are apps enough?'] },
  { keyword: 'sleep', situations: ['I keep waking up at 4am.', 'I drink coffee until late afternoon.', 'My neighbours are loud after midnight.'], asks: ['What can I try tonight?', 'Could that be why I am so tired?', 'Do earplugs actually help?'] },
  { keyword: 'budget', situations: ['I want to save for a new laptop.', 'I spend way too much on delivery food.', 'My rent just went up by ten percent.'], asks: ['How do I make a budget that I will actually follow?', 'Where should I cut first?', 'Is the 50/30/20 thing realistic?'] },
  { keyword: 'moving', situations: ["I'm moving to a new apartment next month.", 'I have way too many books to pack.', 'The new place has no washing machine.'], asks: ['How do I not lose my mind?', 'What should I do first?', 'Any packing tricks?'] },
  { keyword: 'guitar', situations: ['I bought a used acoustic guitar.', 'My fingertips hurt after practicing.', 'I can play four chords now.'], asks: ['What songs can I learn with that?', 'How long should I practice each day?', 'Is it worth taking lessons?'] },
  { keyword: 'dog', situations: ['We adopted a rescue dog named Biscuit.', 'My dog barks at every bicycle.', 'My dog pulls on the leash constantly.'], asks: ['How do I train that out of him?', 'Is that a fear thing?', 'What worked for other people?'] },
  { keyword: 'cat', situations: ['My cat Miso keeps scratching the sofa.', 'I work from home and my cat sits on the keyboard.', 'We are getting a second cat.'], asks: ['How do I stop it?', 'How do I introduce them?', 'Is that normal cat behaviour?'] },
  { keyword: 'party', situations: ['My daughter turns seven on Saturday.', "I'm hosting a dinner for eight people.", 'My best friend is turning forty.'], asks: ['Any ideas for games?', 'What can I prepare the day before?', 'What would be a fun surprise?'] },
  { keyword: 'reading', situations: ['I want to read more books this year.', 'I always fall asleep when I read in bed.', 'I loved The Martian.'], asks: ['What should I read next?', 'How do people find time for this?', 'Audiobooks count, right?'] },
  { keyword: 'coding', situations: ["I'm learning Python in the evenings.", 'My script crashes with a KeyError.', 'I want to build a small website for my bakery.'], asks: ['What project should I try?', 'How do I debug that?', 'Which framework is easiest?'] },
  { keyword: 'exam', situations: ['My chemistry exam is in two weeks.', 'I keep procrastinating on my thesis.', 'I study better at night.'], asks: ['How should I split my time?', 'How do I actually start?', 'Is that bad?'] },
  { keyword: 'plants', situations: ['I have a monstera that keeps dropping leaves.', 'My apartment is pretty dark.', 'I always forget to water my plants.'], asks: ['Which plants would survive me?', 'What is it trying to tell me?', 'How do I keep track?'] },
  { keyword: 'stress', situations: ['Work has been really stressful lately.', 'I tried meditating but my mind wanders.', 'I have a big presentation on Monday.'], asks: ['How do I calm down before it?', 'Is five minutes a day enough?', 'What helps you, I mean, what helps people?'] },
  { keyword: 'coffee', situations: ['I just bought a French press.', 'My espresso tastes sour.', 'I want to cut down to one coffee a day.'], asks: ['What ratio should I use?', 'What am I doing wrong?', 'How do I deal with the headaches?'] },
  { keyword: 'bread', situations: ['My sourdough keeps coming out flat.', 'I finally made my own starter.', 'My kitchen is cold in winter.'], asks: ['What could be the problem?', 'When is it ready to use?', 'Does that change the proofing time?'] },
  { keyword: 'cycling', situations: ['I want to cycle to work, it is about 12 km.', 'My bike chain keeps slipping.', 'It rains a lot where I live.'], asks: ['Is that realistic for a beginner?', 'Can I fix it myself?', 'What gear do I need?'] },
  { keyword: 'photography', situations: ['I got my first mirrorless camera.', 'My night photos are always blurry.', 'I want to take better photos of my kids.'], asks: ['Which settings should I learn first?', 'How do I fix that?', 'Do I need a new lens?'] },
  { keyword: 'wedding', situations: ["I'm the best man at my brother's wedding.", 'My speech is way too long right now.', 'I get really nervous speaking in public.'], asks: ['How do I structure the speech?', 'What should I cut?', 'Any tricks for the nerves?'] },
  { keyword: 'woodworking', situations: ['I want to build a bookshelf myself.', 'I only have a drill and a hand saw.', 'My first cutting board came out uneven.'], asks: ['What wood should I use?', 'Is that enough tools?', 'How do I get it flat?'] },
  { keyword: 'chess', situations: ['I started playing chess online.', 'I always lose in the middle game.', 'My rating is stuck around 900.'], asks: ['What should I study?', 'Which openings are good for beginners?', 'How do I stop blundering?'] },
  { keyword: 'painting', situations: ['I started painting with watercolors.', 'My colors always turn muddy.', 'I want to paint the view from my window.'], asks: ['What paper should I buy?', 'Why does that happen?', 'How do I start a landscape?'] },
  { keyword: 'hiking', situations: ['I want to do my first overnight hike.', 'My boots give me blisters.', "I'm going hiking in the Alps in August."], asks: ['What should I pack?', 'How do I prevent that?', 'How fit do I need to be?'] },
  { keyword: 'knitting', situations: ['My grandma taught me to knit a little.', 'I want to knit a scarf for my partner.', 'My stitches are way too tight.'], asks: ['What yarn is good for beginners?', 'How long would that take?', 'How do I loosen up?'] },
  { keyword: 'office', situations: ['I work from home at the kitchen table.', 'My back hurts after long calls.', 'My video calls look really dark.'], asks: ['What should I buy first?', 'What can I change cheaply?', 'Do I need a ring light?'] },
  { keyword: 'gift', situations: ["My dad's birthday is coming up and he likes fishing.", 'My partner and I have our anniversary next week.', 'I need a gift for a colleague who is leaving.'], asks: ['Any ideas under 50 euros?', 'What would be thoughtful?', 'Is a gift card lazy?'] },
  { keyword: 'diary', situations: ['I want to start keeping a diary again.', 'Today was a really good day actually.', 'I had an argument with my roommate today.'], asks: ['Can you write that down in my diary?', 'Can you put that in my diary?', 'How do I make it a habit?'] },
  { keyword: 'health', situations: ["I'm allergic to peanuts.", 'My dentist appointment is on the 14th.', 'I started taking vitamin D in the winter.'], asks: ['Can you remember that?', 'Please remember that for me.', 'Is that a good idea?'] },
  { keyword: 'music', situations: ['My favorite band is Radiohead.', 'I want to find new music for working.', 'I play the piano a little.'], asks: ['What else would I like?', 'Any playlists you would suggest?', 'What should I learn next?'] },
  { keyword: 'fitness', situations: ['I want to do my first pull-up.', 'I go to the gym twice a week.', 'I hate running but I want to get fit.'], asks: ['How long will that take?', 'What routine would you suggest?', 'What else could I do?'] },
  { keyword: 'friends', situations: ['I moved to a new city and do not know anyone.', 'My best friend forgot my birthday.', 'I feel like I always have to reach out first.'], asks: ['How do adults make friends?', 'Should I say something?', 'Is that normal?'] },
  { keyword: 'car', situations: ['My car makes a squeaking noise when I brake.', "I'm thinking about buying an electric car.", 'I just passed my driving test.'], asks: ['Is that dangerous?', 'Is it worth it yet?', 'Any tips for driving on the highway?'] },
  { keyword: 'games', situations: ['I just finished Hollow Knight.', 'My kids want to play Minecraft with me.', 'I want a board game for four people.'], asks: ['What should I play next?', 'How do I even start?', 'What would you recommend?'] },
  { keyword: 'kids', situations: ['My son refuses to eat vegetables.', 'My daughter is scared of the dark.', 'We have a long car ride with two toddlers.'], asks: ['What can I try?', 'How do I help her?', 'How do we survive it?'] },
];

/** Follow-ups. `{0}` and `{1}` are words from the assistant's last reply. */
export const FOLLOW_UPS: readonly string[] = [
  'Wait, what do you mean by {0}?',
  'Ok that makes sense. How long does the {0} part usually take?',
  "Hm, I never thought about {0}. Is that a big deal?",
  'Thanks! Can you remember that for next time?',
  'What did I tell you about {0} before?',
  'Cool. Can you write in my diary that today was about {0}?',
  "Idk, {0} sounds complicated.",
  'Nice, and what about {1}?',
  'Sorry, I meant {0}, not the other thing.',
  'Do you remember what I told you earlier?',
  'That helps a lot, thanks. What about {1} though?',
  "Can you forget the first thing I asked you to remember? It's not true anymore.",
  'Is {0} really necessary or can I skip it?',
  'Ok. And if that does not work?',
  'Can you explain {0} like I am five?',
  'So {0} first and then {1}?',
  'What did I write in my diary last time?',
  'Honestly I am not sure about {0}.',
  'Got it. Anything else I should know?',
  'Hmm ok. Why {0} and not {1}?',
];

/** When nothing usable came back, the tester changes the subject. */
export const TOPIC_SWITCHES: readonly string[] = ['Different question:', 'Unrelated, but', 'Ok, something else.', 'Also,', 'btw'];

/** What a leaking tester model writes before its message (`rateTesterLeak`). */
export const TESTER_LEAKS: readonly string[] = [
  '<think>I am the user here, so I should ask something natural about my situation.</think>\n',
  '<think>The assistant answered. Now I continue as the simulated user.</think>\n',
  'User: ',
  'User: ',
];
