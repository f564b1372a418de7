"""Helpers for the Pilot tests in tests/ui, in one place (fixtures: conftest.py).

- steps: drive the real app with key presses (Home to the saved record), read what
  the screen shows, and open the consultation on a prepared session (most tests
  start there; one end-to-end keyboard test per mode starts from Home).
- pinned: sessions and apps with every time, id and person fixed, for snapshots.
- review: the review archive (records over time) and opening the review screen.

Tests import from here: `import flow` or `from flow import ...`.
"""

from flow.pinned import *  # noqa: F403
from flow.review import *  # noqa: F403
from flow.steps import *  # noqa: F403
