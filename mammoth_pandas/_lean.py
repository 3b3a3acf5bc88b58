"""The lean GET: page reads sent straight to the session's urllib3 pool.

``requests`` spends most of a page's client CPU preparing the request (merging the
session's settings, encoding the URL, reading the environment, picking the adapter and
its pool) and building the response, although for the pages of one listing all of that
comes out the same but the query string. :class:`LeanGet` does that preparation once per
URL (by asking the session itself, :meth:`requests.Session.prepare_request`) and then
sends each page through the pool the session's adapter would use, with the headers the
session would send, varying only the query.

It is used only when the outcome is what ``requests`` would do, else the transport takes
the full path (``session.request``). :meth:`LeanGet.route` returns ``None``, so the full
path runs, for a session that

- is a subclass of ``requests.Session`` (it may override any step);
- has hooks, default ``params`` or cookies (a cookie the server sets on a lean answer is
  stored in the session's jar, so the next request takes the full path and sends it);
- has an adapter of its own for the URL (``session.mount``), or a proxy for it (from
  ``session.proxies`` or the environment);
- or runs where a step of ``requests`` has been replaced since it was imported (a mock
  library such as ``responses`` patches ``HTTPAdapter.send``; an instrumentation may wrap
  ``Session.send``): the replacement then sees every request.

Everything else the session carries is honoured as ``requests`` does: its headers,
``verify`` (a CA bundle or directory) and ``cert``, the environment's CA bundle, and the
adapter's pool (so the transport's deadline watchdog finds the socket as before). The
preparation is redone when any of these, or the environment's proxy and CA settings,
change. Errors come out as the ``requests`` exceptions the adapter would raise, so the
transport reports them alike.
"""

from __future__ import annotations

import os
import threading
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions as u3
from requests import exceptions as rq
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from requests.models import RequestEncodingMixin
from requests.utils import select_proxy
from urllib3.util import Timeout

__all__ = ["EnvironmentOnce", "LeanGet", "Route"]

#: Environment variables that change what ``requests`` does with a request, besides the
#: ``*_proxy`` ones (read by ``requests.utils.get_environ_proxies``), as text and as bytes.
_NAMES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUEST_METHOD")
_ENVIRONMENT = frozenset([*_NAMES, *(name.encode() for name in _NAMES)])
_PROXY = ("_proxy", b"_proxy")
#: The environment as the interpreter holds it (bytes on POSIX): read without decoding
#: every variable, which ``os.environ.items()`` does.
_RAW_ENVIRONMENT: Any = os.environ._data if hasattr(os.environ, "_data") else os.environ
#: Preparations kept per session (one per listing path and session state, as a rule).
_KEEP = 64


def _environment() -> tuple[tuple[str, str], ...]:
    """The environment's settings that ``requests`` reads for a request."""
    return tuple(
        (k, v) for k, v in _RAW_ENVIRONMENT.items() if k in _ENVIRONMENT or k[-6:].lower() in _PROXY
    )


class EnvironmentOnce(requests.Session):
    """A session that reads the environment's settings (proxies, ``NO_PROXY``, the CA
    bundle) once per host and request shape, instead of on every request: ``requests``
    walks the whole environment twice per request, about 0.8 ms of a page's 1.8 ms of
    client CPU. The settings are those ``requests`` would use; a change to the
    environment after the first request to a host is not seen."""

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[tuple[Any, ...], Any] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        parts = urlsplit(str(url))
        key = (parts.scheme, parts.netloc, repr(proxies), stream, repr(verify), repr(cert))
        found = self._settings.get(key)
        if found is None:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(self._settings) < 64:
                self._settings[key] = found
        return {**found, "proxies": dict(found["proxies"])}


class Route(NamedTuple):
    """One URL prepared as the session would send it: the request (a template for error
    answers), the pool, the request target without its query, the headers."""

    prepared: requests.PreparedRequest
    pool: Any
    target: str
    headers: dict[str, str]


#: Session classes whose every step is ``requests.Session``'s (a subclass may override any).
_PLAIN = (requests.Session, EnvironmentOnce)
#: The steps of ``requests`` the lean path stands in for, as imported: when one has been
#: replaced since (a test library's mock such as ``responses``, an instrumentation), the
#: full path runs, so that the replacement sees every request.
_STEPS = (
    (requests.Session, "request", requests.Session.request),
    (requests.Session, "send", requests.Session.send),
    (requests.Session, "prepare_request", requests.Session.prepare_request),
    (HTTPAdapter, "send", HTTPAdapter.send),
    (HTTPAdapter, "build_response", HTTPAdapter.build_response),
)


def _replaced(adapter: HTTPAdapter) -> bool:
    """Whether a step of ``requests`` (or the adapter's ``send``) is no longer its own."""
    if type(adapter).send is not HTTPAdapter.send:
        return True
    return any(getattr(owner, name) is not original for owner, name, original in _STEPS)


_encode_params: Any = getattr(RequestEncodingMixin, "_encode_params")  # noqa: B009


def _encode(params: Any) -> Any:
    """The query string of ``params``, as ``requests`` encodes it: ``None`` values
    dropped, a list's items repeated, text as UTF-8. A plain dict is encoded here by
    the same steps (``requests`` spends most of the time in run-time protocol checks);
    anything else by ``requests``."""
    if type(params) is not dict:
        return _encode_params(params)
    result: list[tuple[Any, Any]] = []
    for k, vs in params.items():
        if isinstance(vs, (str, bytes)) or not hasattr(vs, "__iter__"):
            vs = [vs]
        for v in vs:
            if v is not None:
                result.append(
                    (
                        k.encode("utf-8") if isinstance(k, str) else k,
                        v.encode("utf-8") if isinstance(v, str) else v,
                    )
                )
    return urlencode(result, doseq=True)


class LeanGet:
    """Sends GETs through ``adapter``'s pools with ``session``'s settings (see the module
    docstring); ``headers`` and ``auth`` are what the transport adds to every request."""

    def __init__(
        self,
        session: requests.Session,
        adapter: HTTPAdapter,
        *,
        headers: dict[str, str],
        auth: Any,
        timeout: float,
    ) -> None:
        self.session = session
        self.adapter = adapter
        self.headers = headers
        self.auth = auth
        self.timeout = Timeout(connect=timeout, read=timeout)
        self._routes: dict[tuple[Any, ...], Route | None] = {}
        self._lock = threading.Lock()

    def route(self, url: str) -> Route | None:
        """How to send a GET of ``url`` (no query) lean, or ``None`` for the full path."""
        s = self.session
        if type(s) not in _PLAIN or s.params or any(s.hooks.values()) or len(s.cookies):
            return None
        if s.get_adapter(url) is not self.adapter or _replaced(self.adapter):
            return None
        key = (
            url,
            tuple(s.headers.items()),
            repr(s.proxies),
            repr(s.verify),
            repr(s.cert),
            s.trust_env,
            _environment(),
        )
        found = self._routes.get(key, self)  # (self: not prepared yet)
        if found is None or (isinstance(found, Route) and found.pool.pool is not None):
            return found  # (a closed pool is prepared again)
        route = self._prepare(url)
        with self._lock:
            if len(self._routes) >= _KEEP:
                self._routes.clear()
            self._routes[key] = route
        return route

    def _prepare(self, url: str) -> Route | None:
        s = self.session
        request = requests.Request("GET", url, headers=self.headers, auth=self.auth)
        try:
            prepared = s.prepare_request(request)
            settings = s.merge_environment_settings(prepared.url, {}, True, None, None)
            sent = str(prepared.url)
            if "?" in sent or select_proxy(sent, settings["proxies"]):
                return None
            pool = self.adapter.get_connection_with_tls_context(
                prepared, settings["verify"], proxies=settings["proxies"], cert=settings["cert"]
            )
            self.adapter.cert_verify(  # type: ignore[no-untyped-call]
                pool, sent, settings["verify"], settings["cert"]
            )
        except (ValueError, OSError):  # the full path raises it as it always has
            return None
        return Route(prepared, pool, prepared.path_url, dict(prepared.headers))

    def send(self, route: Route, params: Any) -> tuple[Any, str]:
        """Send the GET of ``route`` with the query ``params``; the urllib3 response
        (streamed, not yet read) and the query string sent.

        Raises:
            requests.RequestException: as ``HTTPAdapter.send`` raises it.
        """
        query = _encode(params) if params else ""
        target = f"{route.target}?{query}" if query else route.target
        try:
            return route.pool.urlopen(
                method="GET",
                url=target,
                body=None,
                headers=route.headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                retries=self.adapter.max_retries,
                timeout=self.timeout,
                chunked=False,
            ), query
        except (u3.ProtocolError, OSError) as exc:
            raise rq.ConnectionError(exc) from None
        except u3.MaxRetryError as exc:
            reason = exc.reason
            if isinstance(reason, u3.ConnectTimeoutError) and not isinstance(
                reason, u3.NewConnectionError
            ):
                raise rq.ConnectTimeout(exc) from None
            if isinstance(reason, u3.ResponseError):
                raise rq.RetryError(exc) from None
            if isinstance(reason, u3.SSLError):
                raise rq.SSLError(exc) from None
            raise rq.ConnectionError(exc) from None
        except u3.ClosedPoolError as exc:
            raise rq.ConnectionError(exc) from None
        except u3.SSLError as exc:
            raise rq.SSLError(exc) from None
        except u3.ReadTimeoutError as exc:
            raise rq.ReadTimeout(exc) from None
        except u3.InvalidHeader as exc:
            raise rq.InvalidHeader(exc) from None

    def response(self, route: Route, query: str, raw: Any) -> requests.Response:
        """The ``requests.Response`` for ``raw`` (its body still to read), as the session
        would have made it; a cookie it sets goes to the session's jar, as ``requests``
        does."""
        request = route.prepared.copy()
        if query:
            request.url = f"{request.url}?{query}"
        response = self.adapter.build_response(request, raw)
        extract_cookies_to_jar(  # type: ignore[no-untyped-call]
            self.session.cookies, request, raw
        )
        return response

    def sets_cookie(self, raw: Any) -> bool:
        return "set-cookie" in raw.headers
