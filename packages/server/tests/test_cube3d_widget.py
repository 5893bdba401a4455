"""esdl_lab.Cube3D with numpy and xarray inputs: what it syncs, the faces it sends, and its errors."""

from __future__ import annotations

import threading

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


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (
            [[0, 4], [0, 5]],
            r"three \[start, end\) index pairs, one for each of \['dim_0', 'dim_1', 'dim_2'\]",
        ),
        ([[0, 4], [0, 5], 6], "three"),
        ([[0, 4], [0, 5], [0.5, 6]], r"The range of dim_2 must be two integer indices, not \[0\.5, 6\]"),
        ([[0, 4], [True, 5], [0, 6]], "The range of dim_1 must be two integer indices"),
        (
            [[0, 4], [3, 3], [0, 6]],
            r"dim_1 must have 0 <= start < end <= 5 \(its length\); \[3, 3\] does not",
        ),
        ([[0, 5], [0, 5], [0, 6]], r"dim_0 must have 0 <= start < end <= 4"),
        ([[-1, 4], [0, 5], [0, 6]], r"\[-1, 4\] does not"),
    ],
)
def test_bad_ranges_say_what_is_wrong_and_keep_the_old_ones(ranges, message):
    widget = Cube3D(cube())
    with pytest.raises(ValueError, match=message):
        widget.ranges = ranges
    assert widget.ranges == [[0, 4], [0, 5], [0, 6]]


def test_ranges_from_python_select_the_sub_cube_and_sync_as_plain_integers():
    widget = Cube3D(cube())
    widget.ranges = [(1, 3), [np.int64(0), 2], [2, 6]]
    assert widget.ranges == [[1, 3], [0, 2], [2, 6]]
    assert all(type(i) is int for pair in widget.ranges for i in pair)
    np.testing.assert_array_equal(widget.get_current_selection(), cube()[1:3, 0:2, 2:6])


def test_save_animation_refuses_bad_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube(), dims=["time", "lat", "lon"])
    with pytest.raises(ValueError, match=r"save_animation writes \.gif or \.webm files; .* not 'cube\.mp4'"):
        widget.save_animation("cube.mp4")
    with pytest.raises(ValueError, match="inside the notebook's folder"):
        widget.save_animation(tmp_path.parent / "cube.gif")
    with pytest.raises(
        ValueError, match=r"Unknown dimension 'depth': the cube shows \['time', 'lat', 'lon'\]"
    ):
        widget.save_animation("cube.gif", dim="depth")
    with pytest.raises(ValueError, match="fps must be a number from 1 to 30, not 0"):
        widget.save_animation("cube.gif", fps=0)


def test_save_animation_sends_the_shown_sub_cube_and_returns_once_the_file_is_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube(), dims=["time", "lat", "lon"])
    widget.ranges = [[1, 4], [0, 5], [2, 6]]
    sent_messages = []

    def view(message, buffers=None):
        """A view as the browser's: it writes the GIF a little later."""
        sent_messages.append((message, buffers))
        target = tmp_path / message["path"]
        threading.Timer(0.2, lambda: target.write_bytes(b"GIF89a" + bytes(100))).start()

    widget.send = view
    path = widget.save_animation("anim.gif", dim="lat", fps=8)
    assert path == tmp_path / "anim.gif"
    assert path.read_bytes().startswith(b"GIF89a")
    message, buffers = sent_messages[0]
    assert message == {
        "type": "animation",
        "path": "anim.gif",
        "axis": 1,
        "fps": 8,
        "format": "gif",
        "ranges": [[1, 4], [0, 5], [2, 6]],
    }
    block = np.frombuffer(buffers[0], dtype="<f4").reshape(3, 5, 4)
    np.testing.assert_array_equal(block, cube()[1:4, 0:5, 2:6])


def test_save_animation_without_a_view_times_out_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube())
    widget.send = lambda message, buffers=None: None
    with pytest.raises(
        TimeoutError, match=r"No view of this cube wrote 'anim\.webm' .* Show the widget first"
    ):
        widget.save_animation("anim.webm", timeout=0.2)
    assert not (tmp_path / "anim.webm").exists()


def test_a_view_that_cannot_write_the_file_says_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = Cube3D(cube())
    # a report left by an earlier call is not taken for this one
    (tmp_path / "anim.webm.error").write_text("an old failure")

    def view(message, buffers=None):
        """A browser without video recording: it writes why instead of the file."""
        reason = "This browser cannot record WebM video; export a GIF instead."
        threading.Timer(0.1, lambda: (tmp_path / "anim.webm.error").write_text(reason)).start()

    widget.send = view
    with pytest.raises(
        RuntimeError, match=r"could not write 'anim\.webm': This browser cannot record WebM video"
    ):
        widget.save_animation("anim.webm", timeout=5)
    assert not (tmp_path / "anim.webm.error").exists()
    assert not (tmp_path / "anim.webm").exists()
