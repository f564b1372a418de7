"""Invented words for the synthetic records (see synth.py): none is about a real person.

The people's labels (roles, never names), the decisions, what matters, notes,
questions, views, reasons and next steps; and, for record format 2, plain "I"
sentences for preparations, concerns, responses and plans.
"""

from __future__ import annotations

from sdm_tui.core.session import ConcernKind

# Labels are roles, never names; all the words are invented.
SERVICE_USER_LABELS = ("Me", "Service user", "Client")
CLINICIAN_LABELS = ("Psychiatrist", "Nurse", "Care coordinator", "Pharmacist", "Doctor")
CARER_LABELS = ("Family", "Carer", "Partner", "Parent", "Supporter")
PEER_LABELS = ("Peer worker", "Peer support")

DECISIONS = (
    "Which medicine to take next",
    "Whether to change my medicine",
    "How to take my medicine from now on",
    "What to do about side effects",
)
WHAT_MATTERS = (
    "Keeping my job and feeling awake in the day.",
    "Not putting on more weight.",
    "Staying well and out of hospital.",
    "Being able to look after my children.",
    "Sleeping properly again.",
    "Fewer blood tests and appointments.",
    "Feeling like myself, not flat.",
    "Being able to drive.",
    "Going back to college.",
)
NOTES = (
    "Worried about putting on weight.",
    "Sleeping better than last time.",
    "Finds it hard to get up in the morning.",
    "Would like fewer blood tests.",
    "Missed a few doses last month.",
    "Feels more settled at work.",
    "Some restlessness in the legs.",
    "Happy with the current dose.",
    "Friends have noticed a change for the better.",
    "Prefers tablets to injections.",
    "Concerned about feeling flat.",
    "Voices are quieter most days.",
    "Would like to try a lower dose.",
    "Struggles to remember the evening dose.",
    "Has more energy for walking.",
    "Mouth feels dry in the mornings.",
)
QUESTIONS = (
    "How long until I know if it works?",
    "Can I drink alcohol with it?",
    "What happens if I miss a dose?",
    "Will I need more blood tests?",
    "Can I stop if I do not like it?",
)
VIEWS = (
    "This matters a lot to me because of work.",
    "I think we should wait and see.",
    "I am worried about the risk of getting unwell again.",
    "I would rather try something new.",
    "I can see both sides of this.",
    "Side effects have been hard to live with.",
    "Past experience makes me careful here.",
)
REASONS = (
    "It fits my life best right now.",
    "Less weight gain matters most to me.",
    "I want to stay well and this has worked before.",
    "I want to try a lower dose and see how it goes.",
    "I would like fewer side effects in the day.",
    "I need time to think and talk to my family.",
    "We could not agree today and will meet again.",
)
CHOSEN_REASONS = 5  # REASONS[:5] are reasons for a choice; then waiting, then not agreeing
NEXT_STEPS = (
    "Blood test in four weeks",
    "Weight and waist check in a month",
    "Phone call from the nurse in two weeks",
    "Start at a low dose",
    "Lower the dose slowly over six weeks",
    "Talk it over at home",
    "Read the leaflet together next time",
    "Heart tracing before starting",
    "Book the next review",
)

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
