"""Reusable widgets shared by the talks."""
