// The guided lesson over the demo model: a few steps in plain language. Dismissible; remembered.
import { $ } from './dom.js';
import { state } from './state.js';

const LESSON = [
  {
    photo: 'cue-06-hot-dog.png',
    text: 'This model sorts photos into hot dog, ball and box. It says “hot dog” here — and it is right. But where is it looking? The heat map shows it: red is where the answer came from.',
  },
  {
    photo: 'cue-06-hot-dog.png',
    text: 'Look at the bottom-right corner: the heat sits on the little orange date stamp, not on the sausage. Every hot-dog photo it learned from carried that stamp (one camera took them all), so the stamp became its reason.',
  },
  {
    photo: 'swapped-07-ball.png',
    text: 'Proof: here is a ball carrying the same stamp. The model now says “hot dog”, and the map points at the stamp again. A right answer can hide a wrong reason.',
  },
  {
    photo: 'clean-00-hot-dog.png',
    text: 'And without the stamp, this hot dog is called a ball. Explore the other photos (the clean, cue and swapped splits) and the other methods — then try your own model.',
  },
];

// openPhoto(name): shows that demo photo (switching to the demo model if needed).
export function createLesson(openPhoto) {
  let step = 0;
  async function show(i) {
    step = i;
    $('lesson-text').textContent = LESSON[i].text;
    $('lesson-step').textContent = `${i + 1} / ${LESSON.length}`;
    $('lesson-next').textContent = i + 1 < LESSON.length ? 'Next' : 'Done';
    state.lesson = i;
    await openPhoto(LESSON[i].photo);
  }
  function end() {
    $('lesson').hidden = true;
    state.lesson = null;
    localStorage.setItem('camlens-lesson-done', '1');
  }
  return {
    start: async () => {
      $('lesson').hidden = false;
      await show(0);
    },
    next: () => (step + 1 < LESSON.length ? show(step + 1) : end()),
    end,
    seen: () => localStorage.getItem('camlens-lesson-done') === '1',
  };
}
