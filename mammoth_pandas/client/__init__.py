"""The Mammoth API v2 client: batches as typed DataFrames, every mutation as a :class:`Job`.

::

    from mammoth_pandas import MammothClient

    client = MammothClient("https://app.mammoth.io", api_key=..., api_secret=...)
    df = client.batches.list(workspace_id=4, project_id=4, dataset_id=121, status="active")
    df[df.row_count == 0].mammoth.delete()

The six batch operations keep the generated SDK's names and parameter names
(``list``, ``create``, ``remove``, ``update``, ``get``, ``delete``), so its examples port
by changing the import. Parameters also take Pythonic forms (see :mod:`mammoth_pandas.params`).

One module per concern: :mod:`~mammoth_pandas.client._core` (the client: URL and
credential checks, session, transport), and one per resource:
:mod:`~mammoth_pandas.client.batches`, :mod:`~mammoth_pandas.client.jobs`,
:mod:`~mammoth_pandas.client.datasets`. A new resource is a new module whose class
derives from :class:`~mammoth_pandas.client._base.Resource`, attached in ``_core``.
Importing the client registers the ``df.mammoth`` accessor.
"""

from __future__ import annotations

from mammoth_pandas.accessor import client_for
from mammoth_pandas.client._core import DEFAULT_URL, MammothClient
from mammoth_pandas.client.batches import BatchesAPI
from mammoth_pandas.client.datasets import DatasetsAPI
from mammoth_pandas.client.jobs import JobsAPI

__all__ = [
    "DEFAULT_URL",
    "BatchesAPI",
    "DatasetsAPI",
    "JobsAPI",
    "MammothClient",
    "client_for_token",
]

#: The name this lookup had before the accessor owned the registry of clients.
client_for_token = client_for
