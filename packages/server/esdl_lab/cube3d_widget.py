"""``esdl_lab.Cube3D``: a 3D cube of a kernel array (numpy or xarray) as an ipywidget.

The kernel keeps the array; the browser asks for the faces in view and gets each as one binary buffer of
float32 values, so a large array never travels whole. ``cmap``, ``vmin``, ``vmax`` and ``ranges`` sync both
ways. ``savefig`` and ``save_animation`` return once the browser has written the file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import ipywidgets
import numpy as np
from traitlets import Dict, Float, List, Unicode, validate

MODULE_NAME = "@esdl-lab/cube3d"
MODULE_VERSION = "0.1.0"
COLORMAPS = ["viridis", "magma", "RdYlBu", "coolwarm", "gray"]

# the in-face axes (u across, v up) of the faces across each shown axis, as in the front end's geometry.ts
FACE_AXES = {0: (2, 1), 1: (2, 0), 2: (0, 1)}
# the first bytes of each file the browser writes, by suffix
MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".gif": (b"GIF89a",), ".webm": (b"\x1a\x45\xdf\xa3",)}
# save_animation sends the shown sub-cube whole (the kernel cannot answer face requests while the cell runs)
ANIMATION_BYTES = 512 * 1024 * 1024


def _coordinate(values: np.ndarray, attrs: dict[str, Any]) -> dict[str, Any] | None:
    """A coordinate as the front end labels it: numbers, datetimes as CF seconds since 1970."""
    if np.issubdtype(values.dtype, np.datetime64):
        seconds = values.astype("datetime64[s]").astype("int64").astype(float)
        units = {"units": "seconds since 1970-01-01", "calendar": "proleptic_gregorian", "axis": "T"}
        return {"values": seconds.tolist(), "attrs": units}
    if np.issubdtype(values.dtype, np.number):
        plain = {k: v for k, v in attrs.items() if isinstance(v, str | int | float)}
        return {"values": values.astype(float).tolist(), "attrs": plain}
    return None


def _prepare(data: Any, dims: list[str] | None) -> tuple[Any, list[str], dict[str, Any], dict[str, Any], str]:
    """The array (three dimensions), its dim names, coordinates, attributes and name, or a clear error."""
    if hasattr(data, "dims") and hasattr(data, "isel"):
        array = data
        if dims is not None:
            missing = [d for d in dims if d not in array.dims]
            if len(dims) != 3 or missing:
                raise ValueError(f"dims must name three of {list(array.dims)}, not {dims}")
            array = array.isel({d: 0 for d in array.dims if d not in dims}).transpose(*dims)
        if array.ndim != 3:
            raise ValueError(
                f"Cube3D shows three dimensions; {array.name or 'this DataArray'} has {array.ndim} "
                f"({', '.join(map(str, array.dims))}). Pass dims=[three of them] (the others are taken at "
                "their first index) or select with .isel()/.sel() first."
            )
        names = [str(d) for d in array.dims]
        coords = {}
        for dim in names:
            if dim in array.coords:
                coord = _coordinate(np.asarray(array[dim].values), dict(array[dim].attrs))
                if coord is not None:
                    coords[dim] = coord
        attrs = {k: v for k, v in array.attrs.items() if isinstance(v, str | int | float)}
        return array, names, coords, attrs, str(array.name or "data")
    array = np.asarray(data)
    if array.ndim != 3:
        raise ValueError(
            f"Cube3D shows three dimensions; this array has {array.ndim} (shape {array.shape}). "
            "Index or reshape it to three first."
        )
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"Cube3D shows real numbers, not {array.dtype}")
    names = list(dims) if dims is not None else ["dim_0", "dim_1", "dim_2"]
    if len(names) != 3:
        raise ValueError(f"dims must name the three dimensions, not {names}")
    return array, names, {}, {}, "data"


class Cube3D(ipywidgets.DOMWidget):
    """A 3D cube of a three-dimensional array: ``Cube3D(dataarray, cmap="RdYlBu_r", vmin=-2, vmax=32)``.

    Faces are drawn on demand from the array the kernel keeps. Drag a face to slice; ``ranges`` holds the
    [start, end) index range of each dimension shown, ``get_current_selection()`` that sub-cube.
    """

    _model_name = Unicode("Cube3DModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = Unicode("Cube3DView").tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    cmap = Unicode("viridis").tag(sync=True)
    vmin = Float(0.0).tag(sync=True)
    vmax = Float(1.0).tag(sync=True)
    variable = Dict().tag(sync=True)
    coords = Dict().tag(sync=True)
    ranges = List().tag(sync=True)

    def __init__(
        self,
        data: Any,
        cmap: str = "viridis",
        vmin: float | None = None,
        vmax: float | None = None,
        dims: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        array, names, coords, attrs, name = _prepare(data, dims)
        short = [f"{d} ({n})" for d, n in zip(names, array.shape, strict=True) if n < 2]
        if short:
            raise ValueError(
                f"Cube3D needs at least two elements along each dimension; {', '.join(short)} has fewer. "
                "Choose other dimensions with dims=[...]."
            )
        if vmin is None or vmax is None:
            values = np.asarray(array, dtype="float32")
            if not np.isfinite(values).any():
                raise ValueError("Every value of the array is NaN or infinite: there is nothing to colour.")
            vmin = float(np.nanmin(values[np.isfinite(values)])) if vmin is None else vmin
            vmax = float(np.nanmax(values[np.isfinite(values)])) if vmax is None else vmax
            if vmin == vmax:
                vmax = vmin + 1
        if vmin >= vmax:
            raise ValueError(f"vmin ({vmin}) must be below vmax ({vmax})")
        self._array = array
        super().__init__(
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            variable={"name": name, "dims": names, "shape": list(array.shape), "attrs": attrs},
            coords=coords,
            ranges=[[0, n] for n in array.shape],
            **kwargs,
        )
        self.on_msg(self._on_message)

    @validate("cmap")
    def _check_cmap(self, proposal: dict[str, Any]) -> str:
        name = proposal["value"]
        if name.removesuffix("_r") not in COLORMAPS:
            known = ", ".join(n + s for n in COLORMAPS for s in ("", "_r"))
            raise ValueError(f"Unknown colour map {name!r}; choose one of {known}")
        return name

    def face(self, axis: int, index: int, ranges: list[list[int]]) -> np.ndarray:
        """The values of a face as the browser draws it: rows along its v axis, columns along its u axis."""
        picks: list[Any] = [slice(start, end) for start, end in ranges]
        picks[axis] = index
        part = self._array[tuple(picks)]
        values = np.asarray(getattr(part, "values", part), dtype="<f4")
        u, v = FACE_AXES[axis]
        return np.ascontiguousarray(values.T if u < v else values)

    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: list[Any]) -> None:
        if content.get("type") != "face":
            return
        try:
            values = self.face(int(content["axis"]), int(content["index"]), content["ranges"])
        except (KeyError, IndexError, TypeError, ValueError) as error:
            self.send({"type": "error", "id": content.get("id"), "message": f"Bad face request: {error}"})
            return
        self.send({"type": "face", "id": content["id"]}, buffers=[values.tobytes()])

    @validate("ranges")
    def _check_ranges(self, proposal: dict[str, Any]) -> list[list[int]]:
        value = proposal["value"]
        shape = self._array.shape
        names = self.variable.get("dims") or [f"dim_{i}" for i in range(3)]
        pairs = isinstance(value, list | tuple) and len(value) == 3
        if not pairs or not all(isinstance(p, list | tuple) and len(p) == 2 for p in value):
            raise ValueError(
                f"ranges must be three [start, end) index pairs, one for each of {names}, "
                f"e.g. {[[0, n] for n in shape]}; not {value!r}"
            )
        checked = []
        for name, size, (start, end) in zip(names, shape, value, strict=True):
            if not all(isinstance(i, int | np.integer) and not isinstance(i, bool) for i in (start, end)):
                raise ValueError(f"The range of {name} must be two integer indices, not {[start, end]!r}")
            if not 0 <= start < end <= size:
                raise ValueError(
                    f"The range of {name} must have 0 <= start < end <= {size} (its length); "
                    f"[{start}, {end}] does not"
                )
            checked.append([int(start), int(end)])
        return checked

    def _target(self, path: str | os.PathLike, method: str, suffixes: tuple[str, ...]) -> tuple[Path, str]:
        """The absolute path and the path relative to the notebook's folder, or a clear error."""
        target = Path(path).resolve()
        if target.suffix.lower() not in suffixes:
            kinds = " or ".join(suffixes)
            raise ValueError(
                f"{method} writes {kinds} files; give a path ending in {kinds}, not {str(path)!r}"
            )
        relative = os.path.relpath(target, Path.cwd())
        if relative.startswith(".."):
            raise ValueError(
                f"{method} writes inside the notebook's folder ({Path.cwd()}), where the Jupyter server can "
                f"write; {str(target)!r} is outside it"
            )
        return target, Path(relative).as_posix()

    def _written(
        self, target: Path, message: dict[str, Any], buffers: list[Any], method: str, timeout: float
    ) -> Path:
        """Sends `message` to the views and returns `target` once a view has written it whole."""
        before = target.stat().st_mtime_ns if target.exists() else None
        # where a view that fails says why
        failure = target.with_name(target.name + ".error")
        failure.unlink(missing_ok=True)
        self.send(message, buffers=buffers)
        magic = MAGIC[target.suffix.lower()]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if failure.exists():
                reason = failure.read_text(errors="replace")
                failure.unlink(missing_ok=True)
                raise RuntimeError(f"The browser could not write {target.name!r}: {reason}")
            # the server writes atomically (a temporary file, then a rename): a new file here is whole
            if target.exists() and target.stat().st_mtime_ns != before:
                with target.open("rb") as file:
                    if file.read(8).startswith(magic):
                        return target
            time.sleep(0.05)
        raise TimeoutError(
            f"No view of this cube wrote {target.name!r} within {timeout:g} s. Show the widget first "
            f"(leave it last in a cell or display() it), wait until it is drawn, then call {method}; "
            "the browser's console says why a view failed."
        )

    def savefig(self, path: str | os.PathLike, timeout: float = 30.0) -> Path:
        """Writes the cube as shown to a PNG file and returns its path once the whole file exists.

        The browser writes the file through the Jupyter server (a kernel cannot receive widget messages while
        a cell runs), so the widget must be shown, and ``path`` must lie in the notebook's folder or below.
        """
        target, relative = self._target(path, "savefig", (".png",))
        return self._written(target, {"type": "savefig", "path": relative}, [], "savefig", timeout)

    def save_animation(
        self,
        path: str | os.PathLike,
        dim: str | None = None,
        fps: float = 4,
        timeout: float | None = None,
    ) -> Path:
        """Writes an animation along ``dim`` (default: the first shown) as a GIF or WebM file (by the suffix).

        The front face of ``dim`` sweeps from the start of its range to its end, one frame per index, shown
        for 1/fps s each; the other ranges stay as they are. Returns the path once the whole file exists. As
        for ``savefig``, the widget must be shown and ``path`` lie in the notebook's folder or below.
        """
        target, relative = self._target(path, "save_animation", (".gif", ".webm"))
        names = self.variable["dims"]
        dim = names[0] if dim is None else dim
        if dim not in names:
            raise ValueError(f"Unknown dimension {dim!r}: the cube shows {names}; pass dim= one of them")
        if isinstance(fps, bool) or not isinstance(fps, int | float) or not 1 <= fps <= 30:
            raise ValueError(f"fps must be a number from 1 to 30, not {fps!r}")
        axis = names.index(dim)
        block = np.ascontiguousarray(np.asarray(self.get_current_selection(), dtype="<f4"))
        if block.nbytes > ANIMATION_BYTES:
            raise ValueError(
                f"The shown sub-cube is {block.nbytes / 2**20:.0f} MiB, more than the "
                f"{ANIMATION_BYTES / 2**20:.0f} MiB an animation sends to the browser; narrow c.ranges first"
            )
        start, end = self.ranges[axis]
        frames = end - start
        if timeout is None:
            # drawing and encoding take well under a second a frame; WebM records in real time
            timeout = 30 + frames * (1 + 1 / fps)
        message = {
            "type": "animation",
            "path": relative,
            "axis": axis,
            "fps": fps,
            "format": target.suffix.lower()[1:],
            "ranges": self.ranges,
        }
        return self._written(target, message, [memoryview(block).cast("B")], "save_animation", timeout)

    def get_current_selection(self) -> Any:
        """The sub-cube in view (the same type as the data given: DataArray or ndarray)."""
        picks = tuple(slice(start, end) for start, end in self.ranges)
        return self._array[picks]
