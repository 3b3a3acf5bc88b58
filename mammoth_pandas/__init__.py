"""mammoth-pandas: Mammoth Analytics batches as pandas DataFrames, in notebooks and terminals.

The public names are listed in ``__all__``; heavier parts (widgets, the sandbox, the
mapping helper) are imported on first use, so ``import mammoth_pandas`` stays cheap.

Layers, from the top down; a module imports only from its own layer or lower ones, and
the imports form no cycle (``tests/test_architecture_layers.py`` checks both)::

    cli/  demo  lab  __main__  (this package's lazy exports)
    widgets/                              ipywidgets panels
    mapping/                              the mapping helper
    client/ (+ dataset)   |   sandbox/    the client; the sandbox beside it, sharing
                                          only contract with the rest of the package
    dataset  handles                      handles on datasets, projects, workspaces
    accessor  display                     df.mammoth and its registry of clients; output
    params  frames  catalog  _columns  rows  _decode    values on the wire, frames
    _backoff  _attempt  _lean  _concurrency  _credentials   HTTP: waits, attempts, secrets
    _transport  _paging  _seen  _answers  jobs  history   requests, pages, jobs, log
    contract  errors                      the API's constants; the exceptions

Three conveniences reach up on purpose, each by a lazy import inside the method that
offers it: ``DatasetHandle.panel()`` and ``Mapping.panel()`` (the widgets) and
``Sandbox.client()`` (the client).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mammoth_pandas.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    MammothAPIError,
    MammothConfigError,
    MammothConnectionError,
    MammothError,
    MammothInputError,
    MappingError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

__version__ = "0.1.0"

# name -> module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "BatchPanel": "mammoth_pandas.widgets",
    "DatasetHandle": "mammoth_pandas.dataset",
    "Job": "mammoth_pandas.jobs",
    "MammothClient": "mammoth_pandas.client",
    "Mapping": "mammoth_pandas.mapping",
    "MappingPanel": "mammoth_pandas.widgets",
    "Sandbox": "mammoth_pandas.sandbox",
    "browse": "mammoth_pandas.widgets",
    "derive_mapping": "mammoth_pandas.mapping",
}

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BatchPanel",
    "ConflictError",
    "DatasetHandle",
    "Job",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "MammothAPIError",
    "MammothClient",
    "MammothConfigError",
    "MammothConnectionError",
    "MammothError",
    "MammothInputError",
    "Mapping",
    "MappingError",
    "MappingPanel",
    "NotFoundError",
    "RateLimitError",
    "Sandbox",
    "ServerError",
    "__version__",
    "browse",
    "derive_mapping",
]

if TYPE_CHECKING:
    from mammoth_pandas.client import MammothClient
    from mammoth_pandas.dataset import DatasetHandle
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.mapping import Mapping, derive_mapping
    from mammoth_pandas.sandbox import Sandbox
    from mammoth_pandas.widgets import BatchPanel, MappingPanel, browse


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mammoth_pandas' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
