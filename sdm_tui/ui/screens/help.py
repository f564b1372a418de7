"""F1 / ?: the three talks in plain words, and the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP = """\
# How this works

We are choosing a medicine **together**. This screen is shared by everyone in the
room. sdm-tui never says which medicine is best: it shows what is known, and keeps
what each person thinks side by side.

## The three talks

The tabs say what happens in each: **Who is here** is team talk, **Compare options**
and **Side by side** are option talk, **Decide** is decision talk.

1. **Team talk (F2, Who is here).** Who is here, and in what role. The service user says whether
   a carer may take part. We agree what we are deciding, what matters most to the
   service user, in their own words, and which options to compare.
2. **Option talk (F3, Compare options).** The option grid: each column is an option, each row a
   question people often ask. Move with the arrow keys or the mouse. Press **Enter**
   to read the whole answer and where it comes from. Each person says how much each
   question matters to them (**0** not important to **4** most important, **-** not
   discussed) and whether they are drawn towards each option, or away from it (**t**
   towards, **o** open, **a** away, **u** unsure). **p** switches the person being recorded;
   **n** adds a note in their own words. **r** shows the same as plain text to read,
   question by question, with each person's ratings and leanings in words (for a
   screen reader or a magnifier); **r** or **Escape** goes back to the grid.
3. **Side by side (F4)** shows everyone's views together, and marks where people see
   things differently with ⚠. Open a difference to write each side's view. On a
   narrow screen it shows a few people at a time: **]** and **[** turn the page.
4. **Decision talk (F5, Decide).** What we decided (or that we will wait, or that we did not
   agree), why, in the service user's words, how each person feels about it, next
   steps, a review date, and a short check on how sure everyone feels.
5. **Summary (F6).** The summary to take away. **Ctrl+S, Finish and save**, shows
   what is still empty and asks first; then it saves the record and the summary and
   says where. After that the record is read-only: a correction is an amendment.
   **h, Print handout** writes a one-page handout beside the record, to open in a
   browser and print; **c, Copy note** writes the clinical note (plain text) there,
   to paste into the electronic record.

## Before, and when something worries you

- **Get ready for an appointment** (on Home, or `sdm-tui prepare`): the service
  user writes, before the appointment and at their own pace, what they want from it,
  what matters, what already helps them stay well, their questions and worries. It
  is kept under their reference (never a name) and can be printed as one page. When
  a consultation for that reference starts, it is offered; its words show in team
  talk as written.
- **Ctrl+R, Raise a concern**, at any point: anyone here says what worries them (a
  side effect, safety, their care, something else), in their words. Each concern
  needs a response before finishing: what was agreed, or who follows it up.
  **Ctrl+R** again lists the concerns to record the responses.
- **My plan if things get harder** (in decision talk): early warning signs, what
  helps, what to watch for, who to contact and when to meet sooner. It goes on the
  first page of the handout, with the review date.

## Good to know

- Everything is saved as a draft as you go (typing within a second). If the
  computer stops, start sdm-tui again and choose **Resume**: it opens where you were.
- **Escape** goes back a step; nothing is lost.
- **Ctrl+P** opens the command list (finish and save, switch person, go to a talk,
  colours).
- Every question box: the action on the left (**Enter**), the way back on the right
  (**Escape**).
- **Ctrl+Q** quits. If the consultation is not finished, it asks first.
- **▶** marks where the keys go (the chosen line of a list, the cell of the grid), so
  it shows without colour too. On a screen that cannot draw symbols (the Linux
  console) sdm-tui draws plain marks instead (> + - * x); `--ascii` does so anywhere.
- Use a short label for each person, such as "Me", "Mum" or "Care coordinator".
  Records never hold names: the service user is known by a reference such as SU-0042.

## Training role-plays

For practising shared decision making with invented people. On Home choose
**Start a training role-play**, then a scenario: its setting and learning goals are
shown first. The screen says **TRAINING ROLE-PLAY**, and the record is kept apart
from clinical records.

- **F7 Briefs.** Each player reads their own private brief: choose your name, read,
  then press **F7** or **Escape** to hide it. Everyone else looks away meanwhile.
- Play the consultation through the talks as usual (F2 to F6).
- **F8 Observer.** The observer scores the clinician on five areas, from 0 (not
  seen) to 4 (fully), with a note for each, and marks each learning goal met or
  missed.
- **Ctrl+S** finishes and saves the role-play. Then **F9 Debrief** puts the observer's scores
  beside the service user's feedback and everyone's certainty check, and
  **Ctrl+E** exports the debrief as a Markdown file next to the record.

## Reviewing past records

On Home choose **Review past records** (or start with `sdm-tui review`). Records
are listed newest first; ◷ means the review date has passed, ⚠ a disagreement was
left open, ✗ a record failed its integrity check or cannot be read (open it to see
why and what to do). Filter by words, reference, dates (YYYY-MM-DD), grid, outcome
and mode: training records show only when you choose them (**m**).

- **Enter** opens a record: everyone's views side by side (**v**) and its summary
  (**s**).
- **t** shows one person's timeline, oldest first. **c** compares the highlighted
  record with the one before it; **Space** marks any two to compare instead.
- **c** on the list opens the clinic view: outcomes, carers, open disagreements,
  overdue reviews and the monthly certainty and feedback figures, for the records
  the filters select.
"""


CLOSE = "Escape or F1 closes this help."


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        ("escape", "dismiss", "Close"),
        ("f1", "dismiss", "Close"),
        ("question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(CLOSE, id="help-close", classes="hint", markup=False)
            yield Markdown(HELP)
            yield Static(CLOSE, classes="hint", markup=False)
