"""Clinic figures over the records the filters select."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sdm_tui.core.index.connections import recovering
from sdm_tui.core.index.queries import Queries
from sdm_tui.core.index.rows import ClinicStats, Filters, MonthStats
from sdm_tui.core.index.schema import CY, FB
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
                f"SELECT substr(sort_at, 1, 7) AS month, count(*), {averages} "
                f"FROM records WHERE {where} GROUP BY month ORDER BY month",
                params,
            ).fetchall()
        months = []
        for month, count, *means in found:
            fb, cy = means[: len(FB)], means[len(FB) :]
            months.append(
                MonthStats(
                    month=month,
                    count=count,
                    feedback=dict(zip(FEEDBACK_ITEMS, fb, strict=True)),
                    certainty_yes=dict(zip(CERTAINTY_ITEMS, cy, strict=True)),
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
        )
