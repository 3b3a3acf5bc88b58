"""The exceptions of mammoth-pandas, all under one root.

::

    MammothError
    ├── MammothInputError (ValueError)        bad local input, raised before any request
    │   └── MappingError                      a mapping that cannot be built or applied
    ├── MammothConfigError                    missing or unusable settings (URL, credentials)
    ├── MammothConnectionError (ConnectionError)
    │                                         no usable answer: refused, dropped, truncated
    ├── MammothAPIError                       the server answered with an error status
    │   ├── BadRequestError                   400 (``detail``, ``extra``, ``error_code``)
    │   ├── AuthenticationError               401 and 403
    │   ├── NotFoundError (LookupError)       404
    │   ├── ConflictError                     409
    │   ├── RateLimitError                    429 (``retry_after``)
    │   └── ServerError                       5xx
    └── JobError                              an asynchronous job did not succeed
        ├── JobFailedError                    it ended as ``failure`` or ``error``
        └── JobTimeoutError (TimeoutError)    it did not end in time (it may still run)

Every :class:`MammothAPIError` keeps ``status``, the parsed ``body`` and the ``response``.
No exception ever carries a credential in its message.

Every exception pickles with its fields (for joblib, Dask, multiprocessing); the HTTP
``response`` stays behind (``None`` after unpickling), because the request it holds
carries the credentials. This module sits at the bottom of the package: it imports
nothing of it (a job is typed by what the exceptions use of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import requests

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "MammothAPIError",
    "MammothConfigError",
    "MammothConnectionError",
    "MammothError",
    "MammothInputError",
    "MappingError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
]


class FailedJob(Protocol):
    """What a :class:`JobError` holds of its job (a :class:`~mammoth_pandas.jobs.Job`)."""

    id: int | None
    status: str


def _rebuild(cls: type[MammothError], args: tuple[Any, ...]) -> MammothError:
    """An exception of ``cls`` with ``args``, before its fields are set (for unpickling)."""
    error = cls.__new__(cls)
    error.args = args
    return error


class MammothError(Exception):
    """Root of every exception raised by mammoth-pandas."""

    #: Fields that do not cross a process boundary (set to ``None`` in the copy).
    _NOT_PICKLED: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the class, the message and the fields, whatever ``__init__`` takes."""
        state = dict(self.__dict__)
        for name in self._NOT_PICKLED:
            if name in state:
                state[name] = None
        return (_rebuild, (type(self), self.args), state)


class MammothInputError(MammothError, ValueError):
    """A parameter has a value the API does not accept; nothing was sent.

    ``field`` names the parameter, ``accepted`` describes what it takes.
    """

    def __init__(self, field: str, message: str, *, accepted: str | None = None) -> None:
        self.field = field
        self.accepted = accepted
        text = f"{field}: {message}"
        if accepted:
            text += f" (accepted: {accepted})"
        super().__init__(text)


class MappingError(MammothInputError):
    """A column mapping that cannot be derived, corrected or submitted."""


class MammothConfigError(MammothError):
    """Settings are missing or unusable (no URL, no credentials, insecure URL)."""


class MammothConnectionError(MammothError, ConnectionError):
    """No usable answer came back: refused or dropped connection, truncated or non-JSON body.

    ``applied`` says whether a write may have taken effect: ``False`` when it surely did not,
    ``None`` when it cannot be known.
    """

    def __init__(self, message: str, *, applied: bool | None = None) -> None:
        self.applied = applied
        super().__init__(message)


class MammothAPIError(MammothError):
    """The server answered with an error status."""

    _NOT_PICKLED = ("response",)

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        response: requests.Response | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.response = response
        body_dict = body if isinstance(body, dict) else {}
        self.detail: str | None = body_dict.get("detail")
        self.extra: Any = body_dict.get("extra")
        self.error_code: str | None = body_dict.get("error_code")
        self.error_name: str | None = body_dict.get("name")
        super().__init__(message)


class BadRequestError(MammothAPIError):
    """400: the server rejected the request (see ``detail`` and ``extra``)."""


class AuthenticationError(MammothAPIError):
    """401 or 403: the credentials are missing, wrong or not allowed."""


class NotFoundError(MammothAPIError, LookupError):
    """404: the workspace, project, dataset, batch or job does not exist."""


class ConflictError(MammothAPIError):
    """409: the request conflicts with one still running (for example an idempotency key)."""


class RateLimitError(MammothAPIError):
    """429: too many requests; ``retry_after`` holds the server's advice in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(MammothAPIError):
    """5xx: the server failed."""


class JobError(MammothError):
    """An asynchronous job did not succeed; ``job`` is the last state seen."""

    def __init__(self, message: str, *, job: FailedJob) -> None:
        self.job = job
        super().__init__(message)


class JobFailedError(JobError):
    """The job ended as ``failure`` or ``error``; ``reason`` is the server's text."""

    def __init__(self, message: str, *, job: FailedJob, reason: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, job=job)


class JobTimeoutError(JobError, TimeoutError):
    """The job had not ended when the wait ran out; it may still finish on the server."""
