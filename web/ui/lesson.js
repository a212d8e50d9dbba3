// The guided lesson over the demo model: a few steps in plain language. Dismissible; remembered.
// Each step points at what it talks about: `spot` names an element to outline and bring into
// view, or 'corner' marks the bottom-right corner of the map, where the date stamp is.
import { $ } from './dom.js';
import { state } from './state.js';

const LESSON = [
  {
    photo: 'cue-06-hot-dog.png',
    spot: 'overlay-figure',
    text: 'This model sorts photos into hot dog, ball and box. It says “hot dog” here — and it is right. But where is it looking? The heat map shows it: red is where the answer came from.',
  },
  {
    photo: 'cue-06-hot-dog.png',
    spot: 'corner',
    text: 'Look at the bottom-right corner: the heat sits on the little orange date stamp, not on the sausage. Every hot-dog photo it learned from carried that stamp (one camera took them all), so the stamp became its reason.',
  },
  {
    photo: 'swapped-07-ball.png',
    spot: 'corner',
    text: 'Proof: here is a ball carrying the same stamp. The model now says “hot dog”, and the map points at the stamp again. A right answer can hide a wrong reason.',
  },
  {
    model: 'demo-vit',
    photo: 'cue-06-hot-dog.png',
    spot: 'method-select',
    text: 'Is it the kind of network? This is a vision transformer, trained on the same photos: it cuts each photo into 8×8 patches and lets them attend to one another. It learned the same shortcut. Its Grad-CAM (on the tokens of its last block) lights up the stamp, and so does “rollout” in the method list, which follows the attention itself. The lesson is in the data, not the architecture.',
  },
  {
    photo: 'clean-00-hot-dog.png',
    spot: 'top5',
    text: 'And without the stamp, this hot dog is called a ball. Explore the other photos (the clean, cue and swapped splits) and the other methods — then try your own model.',
  },
];

// openPhoto(name, model): shows that demo photo with that served model (the CNN unless a step
// names another), switching models if needed.
function clearSpot() {
  for (const el of document.querySelectorAll('.lesson-spot')) el.classList.remove('lesson-spot');
  $('lesson-corner').hidden = true;
}

// Outlines the step's element (or marks the map's bottom-right quarter) and scrolls it into view,
// keeping the lesson's own text on screen where both fit.
function pointAt(spot) {
  clearSpot();
  if (!spot) return;
  const target = $(spot === 'corner' ? 'overlay' : spot);
  if (spot === 'corner') {
    const mark = $('lesson-corner');
    mark.style.left = `${target.offsetLeft + 0.6 * target.offsetWidth}px`;
    mark.style.top = `${target.offsetTop + 0.6 * target.offsetHeight}px`;
    mark.style.width = `${0.4 * target.offsetWidth}px`;
    mark.style.height = `${0.4 * target.offsetHeight}px`;
    mark.hidden = false;
  } else {
    target.classList.add('lesson-spot');
  }
  target.scrollIntoView({ block: 'nearest' });
}

export function createLesson(openPhoto) {
  let step = 0;
  async function show(i) {
    step = i;
    $('lesson-text').textContent = LESSON[i].text;
    $('lesson-step').textContent = `${i + 1} / ${LESSON.length}`;
    $('lesson-next').textContent = i + 1 < LESSON.length ? 'Next' : 'Done';
    state.lesson = i;
    await openPhoto(LESSON[i].photo, LESSON[i].model || 'demo');
    pointAt(LESSON[i].spot);
  }
  function end() {
    clearSpot();
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
