"""The ``df.mammoth`` accessor: act on the batches of a (filtered) listing in place.

::

    df = client.batches.list(1, 1, 101)
    df[df.row_count == 0].mammoth.delete()
    df[df.state == "suspended"].mammoth.restore()

A listing remembers where it came from in ``df.attrs["mammoth"]``: the ids of its
dataset(s) and a key naming the client in this process. Only plain data is stored
there, because pandas deep-copies ``attrs`` through filtering, copying and pickling.
The batch ids are the frame's index (or its ``id`` column after ``reset_index()``).

This module owns the registry of clients by key. A client registers itself when it is
made (:func:`register_client`) and leaves when it is closed; the registry holds clients
weakly, so a client nobody uses any more can be freed. The accessor never imports the
client: it only calls the client's ``batches`` operations on whatever was registered.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any

import pandas as pd

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.history import ActionLog
from mammoth_pandas.jobs import Job

#: The accessor's actions of this session (``df.mammoth.history``), newest last.
ACTION_LOG = ActionLog()

__all__ = ["MammothAccessor", "client_for", "register_client", "unregister_client"]

# Clients by key, so that a DataFrame can name the client it came from in plain,
# picklable ``attrs`` (pandas deep-copies ``attrs`` in many operations).
_CLIENTS: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def register_client(client: Any) -> str:
    """Register ``client`` (held weakly) and return the key that names it in ``attrs``."""
    key = uuid.uuid4().hex
    with _LOCK:
        _CLIENTS[key] = client
    return key


def unregister_client(key: str) -> None:
    """Forget the client registered under ``key`` (as when it is closed)."""
    with _LOCK:
        _CLIENTS.pop(key, None)


def client_for(key: str) -> Any | None:
    """The open client registered under ``key`` in this process, if any."""
    with _LOCK:
        return _CLIENTS.get(key)


_NO_ORIGIN = (
    "this DataFrame does not say which dataset it came from (df.attrs['mammoth'] is missing); "
    "use a frame returned by client.batches.list(...) or act through "
    "client.dataset(ws, project, dataset)"
)


@pd.api.extensions.register_dataframe_accessor("mammoth")
class MammothAccessor:
    """``df.mammoth.suspend()``, ``.restore()``, ``.delete()`` on the frame's batch ids."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    # -- origin --------------------------------------------------------------------------

    @property
    def origin(self) -> dict[str, Any]:
        """``{"client": key, "datasets": [[ws, project, dataset], …]}``."""
        origin = self._frame.attrs.get("mammoth")
        if not isinstance(origin, dict) or not origin.get("datasets"):
            raise MammothInputError("df.mammoth", _NO_ORIGIN, accepted="a listing frame")
        return origin

    @property
    def client(self) -> Any:
        """The open client that listed this frame."""
        client = client_for(str(self.origin.get("client")))
        if client is None:
            raise MammothInputError(
                "df.mammoth",
                "the client that listed this frame is closed or belongs to another process; "
                "list the batches again, or act through client.dataset(ws, project, dataset)",
                accepted="a listing from an open client",
            )
        return client

    def ids(self) -> list[int]:
        """The frame's batch ids."""
        frame = self._frame
        values: Any
        if frame.index.name == "id":
            values = frame.index
        elif "id" in frame.columns:
            values = frame["id"]
        else:
            raise MammothInputError(
                "df.mammoth", "no batch ids: the index is not 'id' and there is no 'id' column",
                accepted="a listing frame",
            )  # fmt: skip
        return [int(v) for v in pd.unique(pd.Series(values).dropna())]

    def _groups(self) -> list[tuple[tuple[int, int, int], list[int]]]:
        datasets = [tuple(int(x) for x in d) for d in self.origin["datasets"]]
        ids = self.ids()
        if not ids:
            raise MammothInputError("df.mammoth", "the frame has no batches", accepted="rows")
        if len(datasets) == 1:
            return [((datasets[0][0], datasets[0][1], datasets[0][2]), ids)]
        if "dataset_id" not in self._frame.columns:
            raise MammothInputError(
                "df.mammoth", "a frame of several datasets needs its 'dataset_id' column",
                accepted="the frame from list_many",
            )  # fmt: skip
        by_ds = {d[2]: (d[0], d[1], d[2]) for d in datasets}
        frame = self._frame
        index = frame.index if frame.index.name == "id" else frame["id"]
        groups: dict[tuple[int, int, int], dict[int, None]] = {}  # ids in order, once each
        for batch, ds in zip(index, frame["dataset_id"], strict=True):
            if pd.isna(batch) or pd.isna(ds):
                continue
            groups.setdefault(by_ds[int(ds)], {})[int(batch)] = None
        return [(triple, list(ids)) for triple, ids in groups.items()]

    def _act(self, action: str, wait: bool, timeout: float) -> Job | list[Job]:
        client = self.client
        groups = self._groups()
        jobs = []
        for (ws, pr, ds), ids in groups:
            try:
                if action == "delete":
                    job = client.batches.remove(ws, pr, ds, ids, wait=wait, timeout=timeout)
                else:
                    job = client.batches.update(
                        ws, pr, ds, **{action: ids}, wait=wait, timeout=timeout
                    )
            except Exception as exc:
                job_id = getattr(getattr(exc, "job", None), "id", None)
                ACTION_LOG.record(
                    action,
                    ids,
                    job=job_id,
                    outcome="failed",
                    message=f"{type(exc).__name__}: {exc}",
                )
                raise
            jobs.append(job)
            outcome = "succeeded" if job.succeeded else ("failed" if job.failed else "submitted")
            ACTION_LOG.record(action, ids, job=job, outcome=outcome, message=job.status)
        return jobs[0] if len(jobs) == 1 else jobs

    @property
    def history(self) -> pd.DataFrame:
        """The accessor's actions of this session: time, action, ids, job, outcome, message."""
        return ACTION_LOG.frame()

    # -- actions -------------------------------------------------------------------------

    def suspend(self, *, wait: bool = True, timeout: float = 60.0) -> Job | list[Job]:
        """Suspend every batch in the frame (one job per dataset)."""
        return self._act("suspend", wait, timeout)

    def restore(self, *, wait: bool = True, timeout: float = 60.0) -> Job | list[Job]:
        """Restore every batch in the frame."""
        return self._act("restore", wait, timeout)

    def delete(self, *, wait: bool = True, timeout: float = 60.0) -> Job | list[Job]:
        """Delete every batch in the frame and its data."""
        return self._act("delete", wait, timeout)

    def refresh(self) -> pd.DataFrame:
        """The same batches, listed again from the server."""
        client = self.client
        groups = self._groups()
        if len(groups) == 1:
            (ws, pr, ds), ids = groups[0]
            return client.batches.list(ws, pr, ds, id=ids)
        wanted = {batch for _, ids in groups for batch in ids}
        combined = client.batches.list_many([g for g, _ in groups])
        return combined[combined.index.isin(wanted)]
