"""Which request paths the proxy forwards: only paths that stay inside the upstream's base URL."""

from __future__ import annotations

import re
from urllib.parse import unquote

# "http:" or "http://…" as a path segment: an absolute URL smuggled into the path
_URL_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(//|\Z)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# a path without these characters cannot hold any of the tricks checked below
_SUSPECT = re.compile(r"%|\\|//|/\.|:")


def path_problem(rest: str) -> str | None:
    """Why the raw (still percent-encoded) path ``rest`` must not be forwarded, or None when it may.

    ``rest`` is what follows the upstream's name in the request path: "" or "/…". Percent-encoded forms are
    decoded repeatedly, so that ``%2e%2e`` and ``%252e%252e`` are seen as ``..``.
    """
    if not _SUSPECT.search(rest):
        return None
    segments = rest.split("/")[1:]
    last = len(segments) - 1
    for i, raw in enumerate(segments):
        if raw == "":
            if i == last:
                continue
            return "it has an empty segment ('//'), which some servers read as the start of another host"
        if "\\" in raw:
            return "it has a backslash, which some servers read as a '/'"
        segment = raw
        for _ in range(3):
            decoded = unquote(segment)
            if decoded == segment:
                break
            segment = decoded
        if segment in (".", ".."):
            return (
                "it has a '.' or '..' segment (also percent-encoded), which could leave the upstream's base"
            )
        if "/" in segment or "\\" in segment:
            return "it has an encoded '/' or '\\' (%2F, %5C), which could change how the upstream splits it"
        if _CONTROL.search(segment):
            return "it has an encoded control character"
        if _URL_SEGMENT.match(segment):
            return "it has an absolute URL in it; the proxy forwards only to its configured upstreams"
    return None


def strip_token(query: str) -> str:
    """The raw query without ``token`` parameters: the Jupyter token must not reach an upstream."""
    if "token" not in query:
        return query
    return "&".join(p for p in query.split("&") if p != "token" and not p.startswith("token="))
