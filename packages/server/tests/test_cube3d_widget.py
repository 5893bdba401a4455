"""esdl_lab.Cube3D with numpy and xarray inputs: what it syncs, the faces it sends, and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from esdl_lab import Cube3D


def cube(shape=(4, 5, 6)) -> np.ndarray:
    return np.arange(np.prod(shape), dtype="float64").reshape(shape)


def sent(widget: Cube3D, content: dict) -> tuple[dict, list]:
    """What the widget answers to a message from the browser."""
    messages = []
    widget.send = lambda message, buffers=None: messages.append((message, buffers or []))
    widget._on_message(widget, content, [])
    assert len(messages) == 1
    return messages[0]


def test_numpy_array_range_and_faces_as_float32_buffers():
    widget = Cube3D(cube(), cmap="RdYlBu_r")
    assert widget.variable == {
        "name": "data",
        "dims": ["dim_0", "dim_1", "dim_2"],
        "shape": [4, 5, 6],
        "attrs": {},
    }
    assert (widget.vmin, widget.vmax, widget.cmap) == (0.0, 119.0, "RdYlBu_r")
    assert widget.ranges == [[0, 4], [0, 5], [0, 6]]
    ranges = [[0, 4], [1, 5], [2, 6]]
    # the front face (axis 0) at index 3: rows along dim 1, columns along dim 2
    message, buffers = sent(widget, {"type": "face", "id": 7, "axis": 0, "index": 3, "ranges": ranges})
    assert message == {"type": "face", "id": 7}
    front = np.frombuffer(buffers[0], dtype="<f4").reshape(4, 4)
    assert len(buffers[0]) == 4 * 4 * 4
    np.testing.assert_array_equal(front, cube()[3, 1:5, 2:6])
    # a side face (axis 2): rows along dim 1, columns along dim 0 (time runs across)
    side = widget.face(2, 5, ranges)
    assert side.shape == (4, 4)
    np.testing.assert_array_equal(side, cube()[0:4, 1:5, 5].T)


def test_a_bad_face_request_is_answered_with_an_error():
    message, buffers = sent(
        Cube3D(cube()), {"type": "face", "id": 1, "axis": 0, "index": 99, "ranges": [[0, 4]] * 3}
    )
    assert message["type"] == "error" and message["id"] == 1
    assert message["message"].startswith("Bad face request")
    assert buffers == []


def test_dataarray_dims_picked_attrs_and_dates_carried():
    time = pd.date_range("2020-01-01", periods=3, freq="D")
    data = xr.DataArray(
        np.random.default_rng(0).random((3, 2, 4, 5)),
        dims=("time", "depth", "lat", "lon"),
        coords={"time": time, "lat": [10.0, 5.0, 0.0, -5.0], "lon": np.arange(5.0)},
        name="temp",
        attrs={"units": "degC", "long_name": "Temperature"},
    )
    with pytest.raises(ValueError, match=r"has 4 \(time, depth, lat, lon\)\. Pass dims="):
        Cube3D(data)
    widget = Cube3D(data, dims=["time", "lat", "lon"], vmin=0, vmax=1)
    assert widget.variable["name"] == "temp"
    assert widget.variable["dims"] == ["time", "lat", "lon"]
    assert widget.variable["attrs"] == {"units": "degC", "long_name": "Temperature"}
    assert widget.coords["time"]["values"][0] == pd.Timestamp("2020-01-01").timestamp()
    assert widget.coords["time"]["attrs"]["units"] == "seconds since 1970-01-01"
    assert widget.coords["lat"]["values"] == [10.0, 5.0, 0.0, -5.0]
    widget.ranges = [[1, 3], [0, 2], [2, 5]]
    selection = widget.get_current_selection()
    assert isinstance(selection, xr.DataArray)
    assert selection.shape == (2, 2, 3)
    xr.testing.assert_equal(selection, data.isel(depth=0, time=slice(1, 3), lat=slice(0, 2), lon=slice(2, 5)))


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "message"),
    [
        (np.zeros((3, 4)), {}, ValueError, r"three dimensions; this array has 2 \(shape \(3, 4\)\)"),
        (np.zeros((3, 1, 4)), {}, ValueError, r"at least two elements along each dimension; dim_1 \(1\)"),
        (np.full((2, 2, 2), np.nan), {}, ValueError, "Every value of the array is NaN"),
        (cube(), {"cmap": "jet"}, Exception, "Unknown colour map 'jet'; choose one of viridis"),
        (cube(), {"vmin": 5, "vmax": 1}, ValueError, r"vmin \(5\) must be below vmax \(1\)"),
        (np.array([[["a", "b"]] * 2] * 2), {}, TypeError, "real numbers"),
    ],
)
def test_bad_input_says_what_to_do(data, kwargs, error, message):
    with pytest.raises(error, match=message):
        Cube3D(data, **kwargs)


def test_minus_9999_is_a_value_not_missing():
    data = cube((2, 2, 2))
    data[0, 0, 0] = -9999
    assert Cube3D(data).vmin == -9999


def test_savefig_refuses_other_formats_and_folders_above_the_notebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube())
    with pytest.raises(ValueError, match=r"ending in \.png"):
        widget.savefig("cube.jpg")
    with pytest.raises(ValueError, match="inside the notebook's folder"):
        widget.savefig(tmp_path.parent / "cube.png")


def test_savefig_without_a_view_times_out_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube())
    widget.send = lambda message, buffers=None: None
    with pytest.raises(TimeoutError, match="Show the widget first"):
        widget.savefig("cube.png", timeout=0.2)
    assert not (tmp_path / "cube.png").exists()
