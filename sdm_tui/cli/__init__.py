"""Command-line commands that need no screen. Nothing here imports Textual."""
