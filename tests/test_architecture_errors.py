"""Every exception of mammoth_pandas.errors crosses a process boundary with its fields."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest

from mammoth_pandas import errors
from mammoth_pandas.jobs import Job

JOB = Job({"id": 7, "status": "failure", "operation": "update_batches", "response": {"error": "x"}})

#: A value for each constructor parameter of the exception classes, by name.
ARGUMENTS: dict[str, Any] = {
    "field": "status",
    "message": "something went wrong",
    "accepted": "active, suspended",
    "applied": None,
    "status": 409,
    "body": {"detail": "busy", "extra": {"id": 3}, "error_code": "E1", "name": "Conflict"},
    "response": None,
    "retry_after": 1.5,
    "job": JOB,
    "reason": "the server said no",
}

CLASSES = sorted(
    (
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.MammothError) and cls.__module__ == errors.__name__
    ),
    key=lambda cls: cls.__name__,
)


def _inits(cls: type) -> list[Any]:
    """The ``__init__`` methods this module defines along ``cls``'s MRO, nearest first."""
    return [
        k.__dict__["__init__"]
        for k in cls.__mro__
        if k.__module__ == errors.__name__ and "__init__" in k.__dict__
    ]


def _make(cls: type[errors.MammothError]) -> errors.MammothError:
    inits = _inits(cls)
    if not inits:
        return cls(ARGUMENTS["message"])
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for depth, init in enumerate(inits):
        for name, parameter in inspect.signature(init).parameters.items():
            if parameter.kind is parameter.KEYWORD_ONLY:
                keywords.setdefault(name, ARGUMENTS[name])
            elif (
                parameter.kind is parameter.POSITIONAL_OR_KEYWORD and name != "self" and depth == 0
            ):
                positional.append(ARGUMENTS[name])
    return cls(*positional, **keywords)


def test_every_exception_class_is_covered() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert set(errors.__all__) <= names
    assert {"MammothInputError", "MappingError", "JobFailedError", "JobTimeoutError"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_pickles_with_its_fields(cls: type[errors.MammothError]) -> None:
    error = _make(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    fields = {k: v for k, v in vars(error).items() if k != "response"}
    assert bool(fields) == bool(_inits(cls)), "every field given to __init__ is kept"
    assert {k: v for k, v in vars(copy).items() if k != "response"} == fields


def test_a_response_stays_behind() -> None:
    import requests

    response = requests.Response()
    response.status_code = 500
    error = errors.ServerError("boom", status=500, body={"detail": "d"}, response=response)
    copy = pickle.loads(pickle.dumps(error))
    assert error.response is response
    assert copy.response is None
    assert (copy.status, copy.detail) == (500, "d")


def test_a_job_error_keeps_its_job_without_the_client(sandbox) -> None:
    with sandbox.client() as client:
        job = client.jobs.get(client.batches.update(1, 1, 101, suspend=[1001], wait=True).id)
        client.batches.update(1, 1, 101, restore=[1001], wait=True)
    error = errors.JobFailedError("failed", job=job, reason="r")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.job == job
    assert copy.job.refresh() is copy.job  # no client in this process: nothing to ask
    assert copy.reason == "r"
