"""The API's paths, built from validated ids (relative to the ``/api/v2`` base URL)."""

from __future__ import annotations

__all__ = [
    "batch_data_path",
    "batch_path",
    "batches_path",
    "column_stats_path",
    "dataset_data_path",
    "dataset_path",
    "datasets_path",
    "job_path",
    "projects_path",
]


def projects_path(workspace_id: int) -> str:
    """``/workspaces/{ws}/projects``."""
    return f"/workspaces/{workspace_id}/projects"


def column_stats_path(workspace_id: int, project_id: int) -> str:
    """``/workspaces/{ws}/projects/{pr}/datasets/column-stats``."""
    return f"{datasets_path(workspace_id, project_id)}/column-stats"


def dataset_data_path(workspace_id: int, project_id: int, dataset_id: int) -> str:
    """The rows of a dataset."""
    return f"{dataset_path(workspace_id, project_id, dataset_id)}/data"


def batch_data_path(workspace_id: int, project_id: int, dataset_id: int, batch_id: int) -> str:
    """The rows of one batch."""
    return f"{batch_path(workspace_id, project_id, dataset_id, batch_id)}/data"


def datasets_path(workspace_id: int, project_id: int) -> str:
    """``/workspaces/{ws}/projects/{pr}/datasets``."""
    return f"/workspaces/{workspace_id}/projects/{project_id}/datasets"


def dataset_path(workspace_id: int, project_id: int, dataset_id: int) -> str:
    """``/workspaces/{ws}/projects/{pr}/datasets/{ds}``."""
    return f"{datasets_path(workspace_id, project_id)}/{dataset_id}"


def batches_path(workspace_id: int, project_id: int, dataset_id: int) -> str:
    """The dataset's batches collection."""
    return f"{dataset_path(workspace_id, project_id, dataset_id)}/batches"


def batch_path(workspace_id: int, project_id: int, dataset_id: int, batch_id: int) -> str:
    """One batch of the dataset."""
    return f"{batches_path(workspace_id, project_id, dataset_id)}/{batch_id}"


def job_path(job_id: int) -> str:
    """``/jobs/{id}``."""
    return f"/jobs/{job_id}"
