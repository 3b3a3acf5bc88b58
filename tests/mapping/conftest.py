"""Mapping test helpers: small frames and schemas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def people() -> pd.DataFrame:
    """A destination table of 120 people with text, numbers and dates."""
    rng = np.random.default_rng(7)
    n = 120
    first = np.array(["Ana", "Ben", "Chloé", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"])
    last = np.array(["Smith", "Brown", "Garcia", "Khan", "Lee", "Novak", "Okafor", "Rossi"])
    names = [f"{a} {b}" for a, b in zip(rng.choice(first, n), rng.choice(last, n), strict=True)]
    return pd.DataFrame(
        {
            "customer_name": names,
            "email": [f"{x.split()[0].lower()}{i}@example.com" for i, x in enumerate(names)],
            "city": rng.choice(["Lisbon", "Oslo", "Lima", "Pune", "Kyoto"], n),
            "signup_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "lifetime_value": rng.gamma(2.0, 900.0, n).round(2),
            "orders": rng.integers(1, 40, n),
        }
    )
