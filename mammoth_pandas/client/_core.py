"""The client itself: URL and credential checks, the session, the transport, the resources.

HTTP details (auth, retries, idempotency) live in :mod:`mammoth_pandas._transport`; each
resource (``client.batches``, ``client.jobs``, ``client.datasets``) in its own module.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from mammoth_pandas import accessor
from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas._transport import MammothAuth, Secret, Transport
from mammoth_pandas.client.batches import BatchesAPI
from mammoth_pandas.client.data import DataRead, read_rows
from mammoth_pandas.client.datasets import DatasetsAPI
from mammoth_pandas.client.jobs import JobsAPI
from mammoth_pandas.client.workspaces import ProjectsAPI, WorkspacesAPI
from mammoth_pandas.dataset import DatasetHandle
from mammoth_pandas.errors import MammothConfigError, MammothInputError
from mammoth_pandas.handles import ProjectHandle, WorkspaceHandle

__all__ = ["DEFAULT_URL", "MammothClient"]

DEFAULT_URL = "https://app.mammoth.io/api/v2"

_CREDENTIALS_HELP = (
    "pass them, MammothClient(url, api_key=..., api_secret=...) or MammothClient(url, "
    "token=...), or set MAMMOTH_API_KEY and MAMMOTH_API_SECRET (or MAMMOTHANALYTICS_API_KEY "
    "and MAMMOTHANALYTICS_API_SECRET, or MAMMOTH_API_TOKEN) and MAMMOTH_API_URL in "
    "os.environ for MammothClient.from_env(); to try things without an "
    "account, use the local sandbox: Sandbox().start().client()"
)


def _normalise_url(server_url: str, allow_insecure_http: bool) -> str:
    """The API base URL. A refusal never repeats the URL (it may carry a secret): at most
    its scheme and host."""
    if not isinstance(server_url, str):
        raise MammothConfigError(
            f"server_url must be a URL string, got {type(server_url).__name__}"
        )
    if not server_url.strip():
        raise MammothConfigError("server_url must be a non-empty URL, got an empty string")
    url = server_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        has_userinfo = parts.username is not None or parts.password is not None
    except ValueError:
        raise MammothConfigError(
            "server_url is not a valid URL (e.g. https://app.mammoth.io)"
        ) from None
    if has_userinfo:
        raise MammothConfigError(
            "server_url must not carry a user name or password; use api_key/api_secret or token"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        host = f"host {parts.hostname!r}" if parts.hostname else "no host"
        raise MammothConfigError(
            "server_url must be an http(s) URL with a host (e.g. https://app.mammoth.io), "
            f"got scheme {parts.scheme!r} and {host}"
        )
    if parts.query or parts.fragment:
        raise MammothConfigError("server_url must not carry a query string or fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise MammothConfigError(
            f"refusing plain http:// to {parts.hostname}: credentials would cross the network "
            "unencrypted; use https://, or pass allow_insecure_http=True if you accept that"
        )
    if not url.endswith(C.API_PREFIX):
        url += C.API_PREFIX
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret(name: str, value: Any) -> Secret | None:
    if value is None or value == "":
        return None
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise MammothConfigError(f"{name} must be a string, got {type(value).__name__}")
    return Secret(value)


class MammothClient:
    """A client of the Mammoth API v2 (batches, jobs, datasets).

    ``server_url`` (default :data:`DEFAULT_URL`) may end with ``/api/v2`` or not; plain
    ``http://`` is refused except to a loopback host (such as the sandbox) unless
    ``allow_insecure_http=True``. Authenticate with ``api_key`` and ``api_secret`` (or
    the generated SDK's ``security=`` object or dict carrying them), or with a bearer
    ``token``. ``timeout`` (seconds) applies to every request; ``session`` lets you bring
    your own ``requests.Session`` (one with ``verify=False`` is refused); ``max_retries``
    bounds the transport's retries; ``max_workers`` is the ceiling of concurrent page
    reads: a listing starts with 4 in flight and grows towards it while pages come back
    quickly, halving on 429/503 (see :mod:`mammoth_pandas._concurrency`).
    The ``repr`` shows the URL and the kind of credentials, never their values.
    """

    def __init__(
        self,
        server_url: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        max_retries: int = 5,
        max_workers: int = 32,
        allow_insecure_http: bool = False,
        security: Any = None,
    ) -> None:
        if security is not None:  # the generated SDK's models.Security(api_key=, api_secret=)
            if api_key is not None or api_secret is not None:
                raise MammothConfigError("give security= or api_key=/api_secret=, not both")
            api_key, api_secret = (
                security.get(name)
                if isinstance(security, Mapping)
                else getattr(security, name, None)
                for name in ("api_key", "api_secret")
            )
        key, secret, bearer = (
            _secret("api_key", api_key),
            _secret("api_secret", api_secret),
            _secret("token", token),
        )
        if bearer is None and (key is None or secret is None):
            missing = "api_secret" if key else "api_key" if secret else "credentials"
            raise MammothConfigError(f"no {missing}: {_CREDENTIALS_HELP}")
        try:  # the one rule for a timeout, said as a settings error here
            self.timeout = P.timeout(timeout)
        except MammothInputError as exc:
            raise MammothConfigError(str(exc)) from None
        self.max_retries = _count("max_retries", max_retries, minimum=0)
        self.max_workers = _count("max_workers", max_workers, minimum=1)
        if session is not None and session.verify is False:
            raise MammothConfigError(
                "the session has TLS verification turned off (verify=False); "
                "mammoth-pandas never sends credentials without verifying the server"
            )
        self.url = _normalise_url(server_url or DEFAULT_URL, allow_insecure_http)
        self._auth = MammothAuth(api_key=key, api_secret=secret, token=bearer)
        self._transport = Transport(
            self.url,
            auth=self._auth,
            timeout=self.timeout,
            session=session,
            max_retries=self.max_retries,
            pool_size=self.max_workers + 2,
        )
        self.batches = BatchesAPI(self)
        self.jobs = JobsAPI(self)
        self.datasets = DatasetsAPI(self)
        self.workspaces = WorkspacesAPI(self)
        self.projects = ProjectsAPI(self)
        #: The key naming this client in a listing's ``attrs`` (see :mod:`mammoth_pandas.accessor`).
        self.registry_key = accessor.register_client(self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any) -> MammothClient:
        """A client from ``MAMMOTH_API_URL`` and ``MAMMOTH_API_KEY``/``_SECRET``
        (or ``MAMMOTHANALYTICS_API_KEY``/``_SECRET``, or ``MAMMOTH_API_TOKEN``)."""
        env = os.environ if environ is None else environ
        key = env.get(C.ENV_KEY) or env.get(C.ENV_SDK_KEY)
        secret = env.get(C.ENV_SECRET) or env.get(C.ENV_SDK_SECRET)
        token = env.get(C.ENV_TOKEN)
        if not token and not (key and secret):
            raise MammothConfigError(f"no credentials in the environment: {_CREDENTIALS_HELP}")
        return cls(
            env.get(C.ENV_URL) or None,
            api_key=key,
            api_secret=secret,
            token=token,
            **kwargs,
        )

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    def dataset(self, workspace_id: int, project_id: int, dataset_id: int) -> DatasetHandle:
        """A handle on one dataset, for notebooks: ``.batches()``, ``.suspend()``, ``.schema()``…"""
        return DatasetHandle(self, workspace_id, project_id, dataset_id)

    def workspace(self, *, refresh: bool = False) -> WorkspaceHandle:
        """The workspace this credential belongs to (``GET /workspaces/current``, read once).

        ``client.workspace().project(4).dataset(121)`` chains down to a dataset, each
        handle remembering the ids it knows.
        """
        return self.workspaces.current(refresh=refresh)

    def project(self, project_id: int, workspace_id: int | None = None) -> ProjectHandle:
        """A handle on one project (of the credential's workspace unless given)."""
        ws = self.workspace().workspace_id if workspace_id is None else workspace_id
        return ProjectHandle(self, ws, project_id)

    def _project_ids(self, workspace_id: int | None, project_id: int | None) -> tuple[int, int]:
        """The ids a project call names, defaulting to what the credential's workspace says.

        Without ``project_id``: the project the credential is pinned to, else the
        workspace's only project; several projects and none named is refused by name.
        """
        if workspace_id is not None and project_id is not None:
            return (
                P.path_id("workspace_id", workspace_id, minimum=1),
                P.path_id("project_id", project_id, minimum=1),
            )
        if project_id is not None:
            P.path_id("project_id", project_id, minimum=1)
        ws = self.workspace()
        if workspace_id is not None and P.path_id("workspace_id", workspace_id, minimum=1) != ws.id:
            if project_id is None:
                raise MammothInputError(
                    "project_id", "is needed for a workspace other than the credential's"
                )
            return (int(workspace_id), int(project_id))
        if project_id is not None:
            return (ws.id, int(project_id))
        return (ws.id, ws.default_project_id())

    def _read_rows(self, read: DataRead, workers: int) -> Any:
        """Read every page of ``read`` (``workers`` at most at once) with the client's
        transport and job lookups."""
        return read_rows(
            read,
            lambda path, query: self._transport.get(path, query),
            self.jobs._fetch,
            workers=workers,
            timeout=max(self.timeout, 60.0),
        )

    def close(self) -> None:
        """Close the session; frames listed through this client can no longer act."""
        self._transport.session.close()
        accessor.unregister_client(self.registry_key)

    def __enter__(self) -> MammothClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MammothClient(url={self.url!r}, auth={self._auth.kind!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a MammothClient holds credentials and cannot be pickled")

    def __deepcopy__(self, memo: dict[int, Any]) -> MammothClient:
        return self

    def __copy__(self) -> MammothClient:
        return self


def _count(name: str, value: Any, *, minimum: int) -> int:
    """:func:`mammoth_pandas.params.count`, refused as a setting of the client."""
    try:
        return P.count(name, value, minimum=minimum)
    except MammothInputError:
        raise MammothConfigError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
