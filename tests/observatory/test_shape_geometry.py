"""The shapes' SVG paths as polygons, and points spread inside them (the programme's dashboard map)."""

from __future__ import annotations

import pytest

from odl.observatory import shape_geometry, shapes


def test_paths_become_rings_with_relative_absolute_and_curved_commands() -> None:
    assert shape_geometry.rings("M0 0h10v10H0z") == [[(0, 0), (10, 0), (10, 10), (0, 10)]]
    assert shape_geometry.rings("m1 1 2 0 0 2z") == [[(1, 1), (3, 1), (3, 3)]]
    # Curves keep their end point; numbers run together (".5.5") as the package writes them.
    assert shape_geometry.rings("M0 0c1 1 2 2 4 0l.5.5L0 4z") == [[(0, 0), (4, 0), (4.5, 0.5), (0, 4)]]
    # An arc's flags may be written without separators.
    assert shape_geometry.rings("M0 0a5 5 0 014 0l0 4z") == [[(0, 0), (4, 0), (4, 4)]]
    with pytest.raises(ValueError):
        shape_geometry.rings("M0 0L1")


def test_points_spread_inside_a_shape_deterministically() -> None:
    square = shape_geometry.rings("M0 0h10v10H0z")
    holed = shape_geometry.rings("M0 0h10v10H0zM3 3h4v4H3z")  # a hole in the middle
    assert shape_geometry.label_point(square) == pytest.approx((5, 5))
    assert not shape_geometry.contains(holed, (5, 5)) and shape_geometry.contains(holed, (1, 1))
    assert shape_geometry.contains(holed, shape_geometry.label_point(holed))
    points = shape_geometry.spread(holed, 9)
    assert len(set(points)) == 9 and all(shape_geometry.contains(holed, p) for p in points)
    assert shape_geometry.spread(holed, 9) == points and shape_geometry.spread(holed, 0) == []


def test_every_departement_of_the_package_holds_its_points() -> None:
    if not (shapes.package_dir() / "package.json").is_file():
        pytest.skip("paquet npm @gouvfr/dsfr-chart absent : lancez « make install »")
    outlines = shape_geometry.departement_outlines()
    # 96 of metropolitan France and the five overseas ones, the latter as insets left of the map.
    assert len(outlines) == 101 and {"2A", "2B", "971", "976"} <= set(outlines)
    assert shape_geometry.bbox(outlines["974"])[2] < 0 <= shape_geometry.bbox(outlines["29"])[0]
    for code, outline in outlines.items():
        for count in (1, 4, 25):
            points = shape_geometry.spread(outline, count)
            assert len(points) == count, code
            assert all(shape_geometry.contains(outline, p) for p in points), code
