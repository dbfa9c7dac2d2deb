"""Configuration errors as Dagster failures that are not retried.

A missing pseudonymisation secret or a bad setting is not transient: retrying the step after
30 s only buries the cause under "Exceeded max_retries" and a second stack trace. Inside this
context manager a `SettingsError` becomes a `dagster.Failure` whose description is the
user's (Norwegian) message, so it is the run's headline in the UI and in `workforce run`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.errors import SettingsError


@contextmanager
def configuration_failures() -> Iterator[None]:
    try:
        yield
    except SettingsError as error:
        raise dg.Failure(description=f"Konfigurasjonsfeil: {error}", allow_retries=False) from None
