"""``client.jobs``: look up the asynchronous jobs that mutations return."""

from __future__ import annotations

from typing import Any

from mammoth_pandas import params as P
from mammoth_pandas._answers import JOB, JOB_LISTING
from mammoth_pandas.client._base import Resource
from mammoth_pandas.client._routes import job_path
from mammoth_pandas.jobs import Job

__all__ = ["JobsAPI"]

JobList = list[Job]  # named here: inside the class, ``list`` is the method below


class JobsAPI(Resource):
    """``client.jobs``: look up jobs by id."""

    def _fetch(self, job_id: int) -> dict[str, Any]:
        body = self._t.get(job_path(P.path_id("job_id", job_id)), expect=JOB)
        job: dict[str, Any] = body["job"]
        return job

    def get(self, job_id: int) -> Job:
        """The job's current state."""
        return Job(self._fetch(job_id), client=self._client)

    def list(self, job_ids: P.IdsLike) -> JobList:
        """Several jobs' current states (``job_ids``: ``"1,2"`` or a list)."""
        ids = P.id_list("job_ids", job_ids, allow_empty=False)
        body = self._t.get("/jobs", {"job_ids": ",".join(map(str, ids))}, expect=JOB_LISTING)
        return [Job(j, client=self._client) for j in body["jobs"] if isinstance(j, dict)]

    def wait(self, job_ids: P.IdsLike, timeout: float = 60.0) -> JobList:
        """Wait for several jobs; raises on the first that failed."""
        wait_for = P.timeout(timeout)
        return [job.wait(wait_for) for job in self.list(job_ids)]
