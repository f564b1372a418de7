"""sdm-tui: shared decision making about antipsychotic medicine."""

__version__ = "0.1.0"
