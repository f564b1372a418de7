"""A faster way to read a record for the index, proved by the record's own hash.

Building the index reads every record: with tomli, parsing and the integrity hash
(canonical JSON) were two thirds of the reader processes' time. Here a record is
parsed with rtoml (a TOML parser in Rust) and hashed with orjson. The result is used
only when the record is in the current format and the hash of what rtoml read matches
the record's integrity line. That proves rtoml read what sdm-tui hashed when it wrote
the file. Anything else goes the usual way (record.loads with tomli), which also gives
any problem its message: a damaged, older, hand-edited or hostile file, a value the
two JSON writers spell differently (a float, a bare time of day), or a text that may
need cleaning.

It is used only in the index's reader processes (pool._worker), never in the app's
own process. Without rtoml or orjson installed, everything goes the usual way.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sdm_tui.core.record import hash_default
from sdm_tui.core.session import SCHEMA_VERSION, Session
from sdm_tui.core.text import may_need_cleaning

try:
    import orjson
    import rtoml
except ImportError:  # pragma: no cover - both are dependencies; reading works without
    orjson = None  # type: ignore[assignment]
    rtoml = None  # type: ignore[assignment]

_ON = False  # switched on in reader processes only (use())


def use() -> None:
    """Read with the fast parser from now on (a reader process, at its start)."""
    global _ON
    _ON = available()


def available() -> bool:
    return rtoml is not None and orjson is not None


def content_hash(data: dict[str, Any]) -> str:
    """record.content_hash's bytes, by orjson: the same for every value sdm-tui writes
    (sorted keys, no spaces, text not escaped beyond JSON's own, dates as isoformat)."""
    body = {k: v for k, v in data.items() if k != "integrity"}
    canonical = orjson.dumps(
        body, default=hash_default, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    )
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def session(raw: bytes) -> Session | None:
    """The record these bytes hold, or None to read them the usual way."""
    if not _ON:
        return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
        if may_need_cleaning(text):
            return None
        data = rtoml.loads(text)
        version = data.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:
            return None  # older formats are migrated on the usual way
        stored = data.get("integrity")
        if not isinstance(stored, str) or content_hash(data) != stored:
            return None
        return Session.model_validate({k: v for k, v in data.items() if k != "integrity"})
    except Exception:
        return None
