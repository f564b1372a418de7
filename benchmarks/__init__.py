"""The performance harness: `make bench`. Figures are measured here, never in tests."""
