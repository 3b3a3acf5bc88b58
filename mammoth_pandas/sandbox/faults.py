"""Fault injection: latency, error answers, dropped connections, broken bodies, failing jobs.

Each request under ``/api/v2`` draws once from a :class:`random.Random` (seeded when
``seed`` is given, so a run is reproducible) and gets at most one fault. The fault is
decided *before* the request acts, so a faulted write changes nothing, with one
deliberate exception: ``drop_after`` applies the request and then drops the connection
without an answer ("applied but answer lost"), which is what proves idempotent retries.

===================  ==========================================================================
``latency``          seconds added to every request
``rate_429``         share answered 429 with ``Retry-After: <retry_after>``
``rate_500``         share answered 500; ``rate_502`` 502; ``rate_503`` 503 (``Retry-After``)
``drop``             share whose connection is closed with no answer (nothing applied)
``drop_after``       share applied, then the connection is closed with no answer
``truncate``         share answered with half a body and a full ``Content-Length``
``non_json``         share answered 200 with an HTML page instead of JSON
``job_failure``      share of jobs that end as ``failure`` and change nothing
``job_disk_full``    share of the job runner's commits failing as on a full disk
===================  ==========================================================================
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

#: Request faults, in the order a draw walks them.
REQUEST_FAULTS: tuple[str, ...] = (
    "rate_429",
    "rate_500",
    "rate_502",
    "rate_503",
    "drop",
    "drop_after",
    "truncate",
    "non_json",
)


@dataclass(frozen=True)
class FaultConfig:
    """The fault injection settings: shares between 0 and 1, latency and Retry-After in seconds."""

    latency: float = 0.0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_502: float = 0.0
    rate_503: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    truncate: float = 0.0
    non_json: float = 0.0
    retry_after: int = 1
    job_failure: float = 0.0
    job_disk_full: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in (*REQUEST_FAULTS, "job_failure", "job_disk_full"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, got {value!r}")
        total = sum(getattr(self, name) for name in REQUEST_FAULTS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"the request fault shares add up to {total:.3f}, more than 1")
        if (
            not isinstance(self.latency, (int, float))
            or not math.isfinite(self.latency)
            or self.latency < 0
        ):
            raise ValueError(f"latency must be >= 0 seconds, got {self.latency!r}")
        if not _is_int(self.retry_after) or self.retry_after < 0:
            raise ValueError(f"retry_after must be an integer >= 0, got {self.retry_after!r}")
        if self.seed is not None and not _is_int(self.seed):
            raise ValueError(f"seed must be an integer or null, got {self.seed!r}")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> FaultConfig:
        """Settings from a dict, refusing unknown names and values outside their range."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s) {unknown} (accepted: {sorted(known)})")
        return cls(**values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Faults:
    """The live fault settings of one sandbox; ``set`` and ``clear`` work while it runs."""

    def __init__(self, config: FaultConfig | dict[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._config = FaultConfig()
        self._rng = random.Random()  # noqa: S311 - reproducible test faults, not security
        if isinstance(config, FaultConfig):
            self._install(config)
        elif config:
            self._install(FaultConfig.from_mapping(dict(config)))

    def _install(self, config: FaultConfig) -> None:
        # Everything that can fail happens before anything is replaced: a refused setting
        # leaves the live one as it was.
        rng = random.Random(config.seed)  # noqa: S311
        with self._lock:
            self._config = config
            self._rng = rng

    def set(self, **settings: Any) -> FaultConfig:
        """Replace every setting (unnamed ones go back to their defaults)."""
        config = FaultConfig.from_mapping(settings)
        self._install(config)
        return config

    def clear(self) -> None:
        """Turn every fault off."""
        self._install(FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The settings in force."""
        return self._config

    def as_dict(self) -> dict[str, Any]:
        """The settings in force as a dict."""
        return asdict(self._config)

    def draw_request(self) -> str | None:
        """The fault for one request, or None."""
        with self._lock:
            config = self._config
            if not any(getattr(config, name) for name in REQUEST_FAULTS):
                return None
            roll = self._rng.random()
        edge = 0.0
        for name in REQUEST_FAULTS:
            edge += getattr(config, name)
            if roll < edge:
                return name
        return None

    def draw_job_failure(self) -> bool:
        """Whether the next job should fail (drawn from the ``job_failure`` share)."""
        with self._lock:
            if not self._config.job_failure:
                return False
            return self._rng.random() < self._config.job_failure

    def draw_job_disk_full(self) -> bool:
        """Whether one commit of the job runner fails as on a full disk."""
        with self._lock:
            if not self._config.job_disk_full:
                return False
            return self._rng.random() < self._config.job_disk_full

    def __repr__(self) -> str:
        active = {k: v for k, v in self.as_dict().items() if v and k != "retry_after"}
        return f"Faults({active})"
