"""结构图 RNN1、RNN2、BPTT 计算图与 LSTM、GRU 单元：仓库里的 PNG 与代码重新生成的逐字节相同，错误参数给出清楚的报错。"""

from __future__ import annotations

from pathlib import Path

import pytest

from rnn_examples import diagrams

IMAGES = Path(__file__).resolve().parent.parent / "images"


def test_committed_images_are_up_to_date(tmp_path):
    written = diagrams.save_figures(tmp_path)
    assert [p.name for p in written] == ["RNN1.png", "RNN2.png", "BPTT.png", "LSTM.png", "GRU.png"]
    for path in written:
        committed = IMAGES / path.name
        assert committed.exists(), f"缺少 {committed}；运行 nox -s images 生成"
        assert path.read_bytes() == committed.read_bytes(), f"{committed} 已过时；运行 nox -s images 重新生成"


def test_committed_vector_images_are_up_to_date(tmp_path):
    """PDF 版用的矢量图（书页写 images/RNN1.*，LaTeX 取 PDF）也与代码一致。"""
    written = diagrams.save_vector_figures(tmp_path)
    assert [p.name for p in written] == [Path(name).with_suffix(".pdf").name for name in diagrams.FILENAMES.values()]
    again = diagrams.save_vector_figures(tmp_path / ".." / tmp_path.name)  # 同一目录再写一次
    for path, repeat in zip(written, again, strict=True):
        committed = IMAGES / path.name
        assert path.read_bytes().startswith(b"%PDF")
        assert b"CreationDate" not in path.read_bytes(), "PDF 里写了创建时间"
        assert committed.exists(), f"缺少 {committed}；运行 nox -s images 生成"
        assert repeat.read_bytes() == committed.read_bytes(), f"{committed} 已过时；运行 nox -s images 重新生成"


def test_regeneration_is_byte_stable(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for a, b in zip(diagrams.save_figures(first), diagrams.save_figures(second), strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_png_has_no_software_or_date_metadata(tmp_path):
    for path in diagrams.save_figures(tmp_path):
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG")
        assert b"matplotlib" not in data.lower()
        assert b"tIME" not in data


def test_images_are_high_dpi_and_opaque(tmp_path):
    import matplotlib.image as mpimg

    for path in diagrams.save_figures(tmp_path):
        pixels = mpimg.imread(path)
        height, width = pixels.shape[:2]
        assert height >= 800
        assert width >= 500
        if pixels.shape[2] == 4:  # 有 alpha 通道时必须完全不透明
            assert pixels[..., 3].min() == 1.0
        assert tuple(pixels[0, 0, :3]) == (1.0, 1.0, 1.0)  # 白色背景


def test_main_writes_into_directory(tmp_path, capsys):
    target = tmp_path / "out"
    assert diagrams.main([str(target)]) == 0
    stems = ["BPTT", "GRU", "LSTM", "RNN1", "RNN2"]
    names = sorted(f"{stem}.{suffix}" for stem in stems for suffix in ("pdf", "png"))
    assert sorted(p.name for p in target.iterdir()) == names
    assert capsys.readouterr().out == ""  # 只往标准错误报告


@pytest.mark.parametrize(
    ("directory", "error", "message"),
    [
        (42, TypeError, "directory 应为 str 或 os.PathLike（目录路径），实际收到 int"),
        (
            "/nonexistent/rnn-book-images",
            ValueError,
            "directory 应为已存在的目录，实际收到 '/nonexistent/rnn-book-images'",
        ),
    ],
)
def test_save_figures_rejects_bad_directory(directory, error, message):
    with pytest.raises(error) as info:
        diagrams.save_figures(directory)
    assert str(info.value).startswith(message)


def test_save_figures_rejects_file_as_directory(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="不存在或不是目录"):
        diagrams.save_figures(a_file)


def test_main_rejects_extra_arguments():
    with pytest.raises(ValueError, match="最多接受 1 个参数（输出目录），实际收到 2 个"):
        diagrams.main(["a", "b"])


def test_folded_self_loop_carries_a_one_step_delay_marker():
    """折叠图的自环上有一个实心方块（延迟一步），位于自环曲线上；展开图左边的折叠图同样有。"""
    import numpy as np
    from matplotlib.patches import FancyArrowPatch, Rectangle

    for fig in (diagrams.draw_folded(), diagrams.draw_unrolled()):
        ax = fig.axes[0]
        squares = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(squares) == 1, "折叠图的自环上应有且只有一个延迟方块"
        square = squares[0]
        assert square.get_width() == square.get_height() > 0
        assert square.get_facecolor()[:3] == square.get_edgecolor()[:3]  # 实心
        center = (square.get_x() + square.get_width() / 2, square.get_y() + square.get_height() / 2)
        # 自环是起点与终点横坐标相同的那支弯曲箭头；方块中心要落在它的路径上
        loops = [p for p in ax.patches if isinstance(p, FancyArrowPatch) and p.get_connectionstyle().rad != 0]
        assert len(loops) == 1
        # 数据坐标下箭头轮廓上的点（沿每段贝塞尔曲线取 50 个，而不是控制点）
        curve = [point for bezier, _ in loops[0].get_path().iter_bezier() for point in bezier(np.linspace(0, 1, 50))]
        distance = min(((x - center[0]) ** 2 + (y - center[1]) ** 2) ** 0.5 for x, y in curve)
        assert distance < 0.1, f"延迟方块离自环 {distance:.2f}（数据坐标）"
