"""Clinic figures over the records the filters select."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sdm_tui.core.index.connections import recovering
from sdm_tui.core.index.queries import Queries
from sdm_tui.core.index.rows import ClinicStats, Filters, MonthStats
from sdm_tui.core.index.schema import CY, FB, ITEMS
from sdm_tui.core.index.search import words
from sdm_tui.core.session import CERTAINTY_ITEMS, FEEDBACK_ITEMS, Outcome


class Clinic(Queries):
    """The clinic view's figures."""

    @recovering
    def clinic(self, f: Filters, today: date | None = None) -> ClinicStats:
        """Figures for the clinic view over the records the filters select.

        Outcome, carer and disagreement counts are over records that could be
        read; `failed` counts the rest. Certainty shares are over the service
        users who answered that item.
        """
        today = today or datetime.now(UTC).date()
        with self._use() as conn:
            # The summary tables are filled at the end of a build from nothing.
            kept = _modes_only(f) and not self._building(conn)
        if kept:
            return self._clinic_kept(f, today)
        with self._use() as conn:
            where, params = self._where(f, conn)
            ok = f"{where} AND status = 'ok'"
            # One pass, no sorting: a sum for each outcome rather than GROUP BY.
            outcomes = ["", *(o.value for o in Outcome)]
            sums = ", ".join("sum(status = 'ok' AND outcome = ?)" for _ in outcomes)
            total, failed, carer, open_, *counts = conn.execute(
                "SELECT count(*), sum(status != 'ok'), sum(carer), sum(open_disagreements > 0), "
                f"{sums} FROM records WHERE {where}",
                [*outcomes, *params],
            ).fetchone()
            by_outcome = {o: n for o, n in zip(outcomes, counts, strict=True) if n}
            # Each person's latest record (SQLite takes the bare column from the max row);
            # a record with no reference counts on its own.
            overdue = conn.execute(
                "SELECT count(*) FROM (SELECT review_date, max(sort_at) FROM records "
                f"WHERE {ok} AND ref_key != '' GROUP BY ref_key) "
                "WHERE review_date != '' AND review_date < ?",
                [*params, today.isoformat()],
            ).fetchone()[0]
            overdue += conn.execute(
                f"SELECT count(*) FROM records WHERE {ok} AND ref_key = '' "
                "AND review_date != '' AND review_date < ?",
                [*params, today.isoformat()],
            ).fetchone()[0]
            averages = ", ".join(f"avg({c})" for c in [*FB, *CY])
            found = conn.execute(
                f"SELECT substr(sort_at, 1, 7) AS month, count(*), {averages}, "
                f"sum(concerns), sum(answered) FROM records WHERE {where} "
                "GROUP BY month ORDER BY month",
                params,
            ).fetchall()
        months = []
        for month, count, *means in found:
            fb, cy = means[: len(FB)], means[len(FB) : len(FB) + len(CY)]
            raised, answered = (v or 0 for v in means[len(FB) + len(CY) :])
            months.append(
                MonthStats(
                    month=month,
                    count=count,
                    feedback=dict(zip(FEEDBACK_ITEMS, fb, strict=True)),
                    certainty_yes=dict(zip(CERTAINTY_ITEMS, cy, strict=True)),
                    concerns_raised=raised,
                    concerns_answered=answered,
                )
            )
        return ClinicStats(
            total=total,
            by_outcome=by_outcome,
            with_carer=carer or 0,
            with_open_disagreements=open_ or 0,
            overdue_reviews=overdue,
            failed=failed or 0,
            months=months,
            concerns_raised=sum(m.concerns_raised for m in months),
            concerns_answered=sum(m.concerns_answered for m in months),
        )

    def _clinic_kept(self, f: Filters, today: date) -> ClinicStats:
        """The same figures from the summary tables the triggers keep (modes only)."""
        modes = sorted({m for m in f.modes if m})
        marks = ", ".join("?" * len(modes))
        sums = ", ".join(f"sum(s_{c}), sum(n_{c})" for c in ITEMS)
        outcomes = ["", *(o.value for o in Outcome)]
        total = failed = carer = open_ = 0
        by_outcome: dict[str, int] = {}
        with self._use() as conn:
            for ok, outcome, n, with_carer, with_open in conn.execute(
                "SELECT ok, outcome, sum(n), sum(carer), sum(open) FROM clinic_months "
                f"WHERE mode IN ({marks}) GROUP BY ok, outcome",
                modes,
            ):
                total += n
                carer += with_carer
                open_ += with_open
                if not ok:
                    failed += n
                elif outcome in outcomes and n:
                    by_outcome[outcome] = by_outcome.get(outcome, 0) + n
            found = conn.execute(
                f"SELECT month, sum(n), {sums} FROM clinic_months WHERE mode IN ({marks}) "
                "GROUP BY month ORDER BY month",
                modes,
            ).fetchall()
            overdue = conn.execute(
                "SELECT count(*) FROM (SELECT review_date, max(sort_at) FROM clinic_people "
                f"WHERE mode IN ({marks}) GROUP BY ref_key) "
                "WHERE review_date != '' AND review_date < ?",
                [*modes, today.isoformat()],
            ).fetchone()[0]
            overdue += conn.execute(
                f"SELECT count(*) FROM records WHERE ref_key = '' AND mode IN ({marks}) "
                "AND status = 'ok' AND review_date != '' AND review_date < ?",
                [*modes, today.isoformat()],
            ).fetchone()[0]
        months = []
        for month, count, *pairs in found:
            sums = pairs[::2]
            means = [s / n if n else None for s, n in zip(sums, pairs[1::2], strict=True)]
            fb, cy = means[: len(FB)], means[len(FB) : len(FB) + len(CY)]
            raised, answered = sums[len(FB) + len(CY) :]  # counts, not means
            months.append(
                MonthStats(
                    month=month,
                    count=count,
                    feedback=dict(zip(FEEDBACK_ITEMS, fb, strict=True)),
                    certainty_yes=dict(zip(CERTAINTY_ITEMS, cy, strict=True)),
                    concerns_raised=raised or 0,
                    concerns_answered=answered or 0,
                )
            )
        return ClinicStats(
            total=total,
            by_outcome=by_outcome,
            with_carer=carer,
            with_open_disagreements=open_,
            overdue_reviews=overdue,
            failed=failed,
            months=months,
            concerns_raised=sum(m.concerns_raised for m in months),
            concerns_answered=sum(m.concerns_answered for m in months),
        )


def _modes_only(f: Filters) -> bool:
    """Filters that pick whole modes only (what the summary tables can answer)."""
    return (
        any(f.modes)
        and not f.reference.strip()
        and f.date_from is None
        and f.date_to is None
        and not f.grid
        and not f.outcome
        and not f.open_concerns
        and not words(f.text)
    )
