"""Invented words for the synthetic records' preparations, concerns and plans (format 2).

Plain phrases in "I" sentences; none is about a real person (see synth.py).
"""

from __future__ import annotations

from sdm_tui.core.session import ConcernKind

# Record format 2: what people write beforehand, worry about, and plan (all invented).
WANTS = (
    "I want to talk about my weight.",
    "I want to know if I can take less.",
    "I want to feel less tired in the day.",
    "I want to understand my choices.",
)
STAY_WELL = (
    "I walk every morning.",
    "I keep a regular bedtime.",
    "I see my sister on Sundays.",
    "I go to my music group.",
    "I write down how I feel each night.",
)
WORRIES = (
    "I worry I will get unwell again if I change.",
    "I worry about my heart.",
    "I worry nobody will listen.",
)
CONCERNS: dict[ConcernKind, tuple[str, ...]] = {
    ConcernKind.SIDE_EFFECT: ("I keep putting on weight.", "I feel shaky in the mornings."),
    ConcernKind.SAFETY: ("I am scared of falling at night.", "I worry about driving on it."),
    ConcernKind.CARE: ("Nobody called me back last time.", "I see a new doctor every visit."),
    ConcernKind.OTHER: ("I cannot get to the pharmacy easily.",),
}
RESPONSES = (
    "We agreed to check this at every visit.",
    "The nurse will look into it this week.",
    "We talked it through and agreed a plan.",
)
FOLLOW_UPS = ("Care coordinator, this week", "Nurse, before the review", "Pharmacist")
PLAN_TEXT = {
    "warning_signs": ("I stop sleeping.", "I stop going out.", "I feel people are against me."),
    "what_helps": ("Talking to my sister.", "Keeping to my routine.", "Time outdoors."),
    "watch_for": ("Sleep getting worse for a week.", "Missing appointments."),
    "contact": ("My care coordinator, on weekdays.", "The crisis team, at night."),
    "meet_sooner": ("If my sleep is bad for a week.", "If the voices get louder."),
}
