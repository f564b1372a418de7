"""Start one app headless, say when its first frame is drawn and usable, then exit.

    python -m benchmarks.launch bare            a bare Textual app: Header, Static, Footer
    python -m benchmarks.launch sdm RECORDS     sdm-tui through `sdm_tui.__main__.main`

`benchmarks/startup.py` times each from just before it starts this process to the
moment the marker line arrives. Both go through the same code here, so the only
difference between the two is the app.

sdm-tui reads its grids (as far as Home needs: no model) and lists the drafts just
after its first frame (`SdmApp.Loaded` says when Home shows them). For sdm it then
writes a second line, `ready ...`, once Home has been drawn with them (found as for
the first frame): the time to that line is the "grids and drafts ready" figure. Then
sdm-tui builds and checks the grid models (`SdmApp.Checked`); a third line, `checked
...`, once Home has been drawn after that, and it exits (information: the time until
a grid can be opened without waiting).

When is the first frame "drawn and ready for input"? Textual 8.2.8 posts
`events.Ready` to the App after a screen's first layout has been composed and sent
to the driver (`Screen._refresh_layout` -> `_compositor_refresh` -> `App._display`).
That first layout may belong to the default screen, before sdm-tui's Home screen
(pushed from `SdmApp.on_mount`) has been drawn, so on Ready we ask for
`call_after_refresh`: Textual runs such callbacks when the current screen is idle with
no layout, repaint or dirty widget pending, that is after its latest changes have
been drawn. The callback then also checks, and waits for another refresh if not:
the current screen has finished mounting (its `on_mount` has run: for Home, the
lists are filled and focused) and at least one frame of it was displayed after that.

A headless driver discards frames, so `App._display` stops before turning the
compositor's update into terminal text. `FirstFrame._display` does that step too
(and throws the text away), so the figure includes everything a real terminal
would cost except the write itself.

The marker goes straight to file descriptor 1, because Textual redirects
`sys.stdout` while an app runs.
"""

from __future__ import annotations

import os
import sys

from rich.console import RenderableType
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.screen import Screen

SIZE = (100, 30)
MARKER = "first-frame"
READY_MARKER = "ready"
CHECKED_MARKER = "checked"


class FirstFrame:
    """Mixed in before the real app class: headless, report the first usable frame, exit."""

    _frames_of: dict[int, int]
    # True: after the first frame, wait for `report_loaded()` to be called, then report when the
    # screen has drawn what came with it (a second line), then the same for
    # `report_checked()` (a third line), and exit only then.
    WAITS_FOR_READY = False

    def run(self, **_options):  # type: ignore[no-untyped-def]
        self._frames_of = {}
        self._first_reported = False
        self._loaded_details = ""
        self._ready_reported = False
        self._checked_details = ""
        return super().run(headless=True, size=SIZE)  # type: ignore[misc]

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)  # type: ignore[misc]
        app: App = self  # type: ignore[assignment]
        if renderable is None or app._batch_count or not app._running:
            return
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(app.console)  # what a terminal would be sent
        if screen.is_mounted:
            self._frames_of[id(screen)] = self._frames_of.get(id(screen), 0) + 1

    def on_ready(self) -> None:
        self.call_after_refresh(self._report)  # type: ignore[attr-defined]

    def _drawn(self) -> bool:
        """The current screen is mounted, has nothing left to draw, and was shown."""
        app: App = self  # type: ignore[assignment]
        screen = app.screen
        pending = screen._layout_required or screen._repaint_required or screen._dirty_widgets
        return screen.is_mounted and not pending and bool(self._frames_of.get(id(screen)))

    def _report(self) -> None:
        app: App = self  # type: ignore[assignment]
        if not self._drawn():
            app.call_after_refresh(self._report)
            return
        screen = app.screen
        focused = app.focused
        where = f"{type(focused).__name__}#{focused.id}" if focused is not None else "none"
        line = f"{MARKER} {type(screen).__name__} {where} {self._frames_of[id(screen)]}\n"
        os.write(1, line.encode())
        self._first_reported = True
        if not self.WAITS_FOR_READY:
            app.exit()
        elif self._loaded_details:
            app.call_after_refresh(self._report_ready)

    def report_loaded(self, details: str) -> None:
        """Called by the app's handler when its deferred start-up work is shown."""
        self._loaded_details = details
        if self._first_reported:
            self.call_after_refresh(self._report_ready)  # type: ignore[attr-defined]

    def _report_ready(self) -> None:
        app: App = self  # type: ignore[assignment]
        if not self._drawn():
            app.call_after_refresh(self._report_ready)
            return
        line = f"{READY_MARKER} {type(app.screen).__name__} {self._loaded_details}\n"
        os.write(1, line.encode())
        self._ready_reported = True
        if self._checked_details:
            app.call_after_refresh(self._report_checked)

    def report_checked(self, details: str) -> None:
        """Called by the app's handler when its full check is done and shown."""
        self._checked_details = details
        if self._ready_reported:
            self.call_after_refresh(self._report_checked)  # type: ignore[attr-defined]

    def _report_checked(self) -> None:
        app: App = self  # type: ignore[assignment]
        if not self._drawn():
            app.call_after_refresh(self._report_checked)
            return
        line = f"{CHECKED_MARKER} {type(app.screen).__name__} {self._checked_details}\n"
        os.write(1, line.encode())
        app.exit()


def run_bare() -> int:
    from textual.widgets import Footer, Header, Static

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("A bare Textual app.")
            yield Footer()

    class TimedBare(FirstFrame, BareApp):
        pass

    TimedBare().run()
    return 0


def run_sdm(records: str) -> int:
    """sdm-tui's real start: command line, start-up checks, shipped grids, SdmApp.

    `run_app` imports `SdmApp` from `sdm_tui.ui.app` when it starts the app, so the
    timed subclass is put there first. Importing it here rather than inside
    `run_app` changes the order of imports, not what is imported.
    """
    import sdm_tui.ui.app as ui_app
    from sdm_tui.__main__ import main

    class TimedSdm(FirstFrame, ui_app.SdmApp):
        _BASE_PATH = ui_app.__file__  # CSS_PATH is relative to the real app's file
        WAITS_FOR_READY = True

        def on_sdm_app_loaded(self, _message: ui_app.SdmApp.Loaded) -> None:
            self.report_loaded(self._home_shows())

        def on_sdm_app_checked(self, _message: ui_app.SdmApp.Checked) -> None:
            self.report_checked(self._home_shows())

        def _home_shows(self) -> str:
            """What Home offers: grids (from what it was given) and draft rows."""
            drafts = self.screen.query_one("#drafts").option_count  # type: ignore[attr-defined]
            grids = len(self.headings.grids) if self.headings else 0
            return f"grids={grids} draft-rows={drafts}"

    ui_app.SdmApp = TimedSdm  # type: ignore[misc]
    return main(["--records", records])


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which == "bare":
        sys.exit(run_bare())
    if which == "sdm" and len(sys.argv) == 3:
        sys.exit(run_sdm(sys.argv[2]))
    sys.exit("usage: python -m benchmarks.launch bare | sdm RECORDS_DIR")
