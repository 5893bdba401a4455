"""Which headers pass the proxy: no hop-by-hop headers, no browser credentials, no upstream cookies."""

from __future__ import annotations

from tornado import httputil

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# the browser's credentials for Jupyter, and what would tell the upstream about the browser's origin
REQUEST_DROP = HOP_BY_HOP | {"host", "cookie", "authorization", "origin", "referer", "x-xsrftoken", "expect"}
# what a browser could claim about the public URL: the proxy says it itself (see public_url_headers)
REQUEST_DROP |= {
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-prefix",
}
# no upstream may set cookies on the Jupyter origin or make the browser show a login box
RESPONSE_DROP = HOP_BY_HOP | {"set-cookie", "www-authenticate"}


def named_in_connection(connection: str | None) -> set[str]:
    """The headers that a ``Connection`` header declares hop-by-hop."""
    if not connection:
        return set()
    return {token.strip().lower() for token in connection.split(",")}


def forward_headers(headers: httputil.HTTPHeaders) -> list[tuple[str, str]]:
    """The request headers an upstream may see."""
    connection = headers.get("Connection")
    drop = REQUEST_DROP | named_in_connection(connection) if connection else REQUEST_DROP
    return [(name, value) for name, value in headers.get_all() if name.lower() not in drop]


def response_drop(connection: str | None) -> frozenset[str] | set[str]:
    """The names (lower case) of the response headers the browser must not see."""
    return RESPONSE_DROP | named_in_connection(connection) if connection else RESPONSE_DROP


def public_url_headers(protocol: str, host: str, prefix: str) -> list[tuple[str, str]]:
    """Tell a cube server where the browser reaches it, so that the URLs it writes (tile URLs, WMTS
    capabilities) go through the proxy: ``X-Forwarded-Proto``/``-Host``/``-Prefix``, as xcube reads them."""
    return [("X-Forwarded-Proto", protocol), ("X-Forwarded-Host", host), ("X-Forwarded-Prefix", prefix)]
