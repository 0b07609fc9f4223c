"""A small locator map of one RT inside its kelurahan, drawn as SVG on the server: no script, no
tiles, readable on a slow phone and in print."""

from __future__ import annotations

import html

import geopandas as gpd
import shapely

WIDTH = 320


def _path(geom: shapely.Geometry, tx) -> str:
    parts = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = [tx(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


def rt_locator_svg(
    kelurahan: gpd.GeoDataFrame,
    rts: gpd.GeoDataFrame,
    chosen: shapely.Geometry,
    works: gpd.GeoDataFrame,
    label: str,
    *,
    north: str = "U",
) -> str:
    """The kelurahan outline, its RTs in grey, ``chosen`` in red and the works as dark lines/points,
    in a metric CRS so that the shape is not stretched."""
    metric = kelurahan.estimate_utm_crs()
    kel = kelurahan.to_crs(metric)
    rt = rts.to_crs(metric)
    mine = gpd.GeoSeries([chosen], crs=rts.crs).to_crs(metric).iloc[0]
    wk = works.to_crs(metric) if len(works) else works
    minx, miny, maxx, maxy = kel.total_bounds
    span = max(maxx - minx, maxy - miny, 1.0)
    scale = (WIDTH - 10) / span
    height = (maxy - miny) * scale + 10

    def tx(x: float, y: float) -> tuple[float, float]:
        return 5 + (x - minx) * scale, 5 + (maxy - y) * scale

    out = [
        f'<svg class="locator" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{html.escape(label)}">',
        f"<title>{html.escape(label)}</title>",
    ]
    for geom in rt.geometry:
        out.append(f'<path d="{_path(geom, tx)}" fill="#f0f0f0" stroke="#9e9e9e" stroke-width="0.6"/>')
    out.append(f'<path d="{_path(mine, tx)}" fill="#b2182b" fill-opacity="0.75" stroke="#67000d" stroke-width="1.5"/>')
    for geom in wk.geometry if len(wk) else []:
        if geom.geom_type in ("LineString", "MultiLineString"):
            for line in getattr(geom, "geoms", [geom]):
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (tx(*c[:2]) for c in line.coords))
                out.append(f'<polyline points="{pts}" fill="none" stroke="#1d2b36" stroke-width="2"/>')
        elif geom.geom_type == "Point":
            x, y = tx(geom.x, geom.y)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d2b36"/>')
    for geom in kel.geometry:
        out.append(f'<path d="{_path(geom, tx)}" fill="none" stroke="#000" stroke-width="1.5"/>')
    # north arrow, top right
    out.append(
        f'<g aria-hidden="true"><path d="M{WIDTH - 16},22 l6,-14 l6,14 l-6,-4z" fill="#1d2b36"/>'
        f'<text x="{WIDTH - 10}" y="34" font-size="11" text-anchor="middle">{html.escape(north)}</text></g>'
    )
    out.append("</svg>")
    return "".join(out)
