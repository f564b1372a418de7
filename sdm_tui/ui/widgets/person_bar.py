"""'Recording for: <label> (<role>)', always visible, with a clickable name per person.

Reusable by any talk that records one person's views at a time. Clicking a person
posts ActivePerson, which the ConsultationScreen handles; the screen then calls every
pane's show(), and the pane passes the new state back here with `show(session, active)`.

The bar is one line drawn by one widget, not a row of Buttons: switching person then
changes one line of text, with no new layout of the screen. (With Buttons, each label
change laid the screen out again and took three frames, about 60 ms, on every p key:
benchmarks/keys.py.) Names are drawn as plain text, never as markup; the person
recorded is marked "▶" and bold, not by colour alone.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

from sdm_tui.core.session import ROLE_NAMES, Session
from sdm_tui.ui.messages import ActivePerson

NO_ONE = "no one yet. Add people in team talk first (F2)."
SHORT_LABEL = 10  # names are cut to this many characters when the bar is too narrow
GAP = 2  # cells between the parts of the bar
# (say "Switch:", shorten names, say who in words), fullest first
FORMS = ((True, False, True), (False, False, True), (False, True, True), (False, True, False))


class PersonBar(Widget):
    """Who is being recorded, and a quick way to switch (click, or p / P in the talk)."""

    COMPONENT_CLASSES = {"person-bar--lead", "person-bar--person", "person-bar--active"}

    DEFAULT_CSS = """
    PersonBar {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $boost;
        color: $text;
        & > .person-bar--lead { color: $text-muted; }
        & > .person-bar--person { background: $surface; }
        & > .person-bar--active { background: $primary 40%; text-style: bold; }
    }
    """

    def __init__(self, *, lead: str = "Recording for: ", id: str | None = None) -> None:
        super().__init__(id=id)
        self.lead = lead
        self.people: tuple[tuple[str, str], ...] = ()  # (participant id, label)
        self.who = NO_ONE  # the words after the lead, exactly as shown
        self.extra = ""
        self.active = ""
        self._spans: list[tuple[int, int, str]] = []  # (from x, to x, participant id)
        self._names: list[str] = []

    def show(self, session: Session, active: str, extra: str = "") -> None:
        """Show `active` as the person recorded (redraws one line; no new layout)."""
        voices = session.voices()
        people = tuple((p.id, p.label) for p in voices)
        person = next((p for p in voices if p.id == active), None)
        who = f"{person.label} ({ROLE_NAMES[person.role]})" if person else NO_ONE
        state = (people, who, extra, active)
        if state != (self.people, self.who, self.extra, self.active):
            self.people, self.who, self.extra, self.active = state
            self.refresh()

    def labels(self) -> list[str]:
        """Each person's name as drawn now, "▶ " marking the one recorded."""
        self.render()
        return list(self._names)

    def offset_of(self, participant_id: str) -> tuple[int, int]:
        """Where to click for `participant_id` (x, y within the widget), for tests."""
        self.render()
        x = next(start for start, _, pid in self._spans if pid == participant_id)
        return x + self.styles.padding.left, 0

    def render(self) -> Text:
        """The fullest form of the bar that fits: all words, then no "Switch:", then
        names shortened, then only the names (the one recorded marked "▶"). The note
        count on the right gives way first (shown whole or not at all); whatever does
        not fit after that is cut with "…"."""
        width = self.size.width
        text = Text()
        for switch, short, who in FORMS:
            text, needed = self._line(switch=switch, short=short, who=who)
            if not width or needed <= width:
                break
        return text

    def _line(self, *, switch: bool, short: bool, who: bool) -> tuple[Text, int]:
        """The bar's text, and how many cells it needs without the note count."""
        lead = self.get_visual_style("person-bar--lead").rich_style
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        many = len(self.people) > 1
        text.append(self.lead if who or not many else self.lead.rstrip(), style=lead)
        if who or not many:
            text.append(self.who, style="bold")
        self._spans, self._names = [], []
        if many:
            text.append(" " * GAP if who else " ")
            if switch:
                text.append("Switch: ", style=lead)
            for pid, label in self.people:
                if short and len(label) > SHORT_LABEL:
                    label = label[: SHORT_LABEL - 1] + "…"
                name = ("▶ " if pid == self.active else "  ") + label
                component = "active" if pid == self.active else "person"
                style = self.get_visual_style(f"person-bar--{component}").rich_style
                start = text.cell_len
                text.append(f" {name} ", style=style)
                self._spans.append((start, text.cell_len, pid))
                self._names.append(name)
                text.append(" ")
        needed = text.cell_len
        room = self.size.width - text.cell_len - cell_len(self.extra)
        # The count is shown whole or not at all: cut short it read as a bare "1".
        if self.extra and (room >= GAP or not self.size.width):
            text.append(" " * max(room, GAP))
            text.append(self.extra, style=lead)
        return text, needed

    def on_resize(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for start, end, pid in self._spans:
            if start <= offset.x < end:
                event.stop()
                self.post_message(ActivePerson(pid))
                return
