"""Walking distances to community services, along the road network or in a straight line.

Pure functions over frames in a metric CRS (the UTM zone of the kelurahan); no I/O.

**The network** (:class:`RoadNetwork`) is a :mod:`networkx` graph whose nodes are the vertices of
the road lines and whose edges are the straight pieces between consecutive vertices, weighted by
their length in metres.  Two roads meet where they share a vertex, as OpenStreetMap ways meet at
a shared node; lines that only cross (a flyover over a street) do not connect.  Motorways, their
ramps and roads under construction are left out: nobody walks there.

**Snapping: projection onto the nearest edge, not the nearest node.**  A household or facility
is joined to the road network at the closest point of the closest edge (``STRtree.query_nearest``
then ``line_locate_point``), and its walk is

    straight line to that point + along the edge to one of its two ends + the shortest path in
    the graph + along the last edge + straight line to the door.

Nearest-node snapping would be wrong by up to half an edge: OSM residential ways have vertices
tens of metres apart, and with a 500 m limit a 40 m error moves whole rows of houses in or out of
reach.  Projection also keeps every network distance at least the straight-line distance (each
leg is at least the straight line it replaces), so the network share of households within reach
is never above the straight-line share.  A household and a facility on the same edge walk along
it directly.

The shortest paths come from ``networkx.single_source_dijkstra_path_length`` run once per service
from a virtual source joined to both ends of every facility's edge (weights: the facility's
straight line to the road plus the way along the edge), with the walking distance as cutoff, so
one Dijkstra gives every node's distance to the *nearest* facility of that service.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import shapely

NOT_WALKABLE = frozenset({"motorway", "motorway_link", "construction", "proposed", "raceway"})
_SOURCE = -1  # the virtual source node; real nodes are 0..n-1


@dataclass(frozen=True)
class Snapped:
    """Points joined to a network (:meth:`RoadNetwork.snap`): done once for points measured
    against several services (a kelurahan's households and its ground grid)."""

    segment: np.ndarray
    along: np.ndarray
    snap_m: np.ndarray

    def __len__(self) -> int:
        return len(self.segment)


@dataclass
class RoadNetwork:
    """A walking network built from road lines in a metric CRS (see the module docstring)."""

    graph: nx.Graph
    segments: np.ndarray  # one LineString per edge piece
    start: np.ndarray  # node of each segment's first point
    end: np.ndarray  # node of each segment's last point
    length: np.ndarray  # metres
    tree: shapely.STRtree
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_lines(cls, lines: np.ndarray | list, highway: list | None = None) -> RoadNetwork | None:
        """The network of ``lines`` (LineString or MultiLineString, metres), or None when no
        walkable line is left.  ``highway`` (the OSM type of each line) leaves out motorways."""
        lines = np.asarray(lines, dtype=object)
        if highway is not None:
            keep = np.array([h is None or str(h) not in NOT_WALKABLE for h in highway], dtype=bool)
            lines = lines[keep]
        lines = lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))] if len(lines) else lines
        if not len(lines):
            return None
        parts = shapely.get_parts(lines)
        coords, part_of = shapely.get_coordinates(parts, return_index=True)
        same_part = part_of[1:] == part_of[:-1]
        a, b = coords[:-1][same_part], coords[1:][same_part]
        length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
        a, b, length = a[length > 0], b[length > 0], length[length > 0]
        if not len(length):
            return None
        # vertices shared by two lines are one node: keyed on millimetres
        keys = np.round(np.vstack([a, b]) * 1000).astype(np.int64)
        _, node = np.unique(keys, axis=0, return_inverse=True)
        node = node.ravel()
        start, end = node[: len(a)], node[len(a) :]
        graph = nx.Graph()
        graph.add_nodes_from(range(int(node.max()) + 1))
        order = np.argsort(-length)  # shortest last: of two pieces joining the same nodes, it stays
        graph.add_weighted_edges_from(
            zip(start[order].tolist(), end[order].tolist(), length[order].tolist(), strict=True), weight="length"
        )
        segments = shapely.linestrings(np.stack([a, b], axis=1))
        return cls(graph, segments, start, end, length, shapely.STRtree(segments))

    def snap(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each point: its nearest segment, the distance along that segment from its start to
        the projected point, and the straight distance from the point to the road."""
        points = np.asarray(points, dtype=object)
        if not len(points):
            empty = np.zeros(0)
            return empty.astype(int), empty, empty
        (which, seg), dist = self.tree.query_nearest(points, return_distance=True, all_matches=False)
        segment = np.empty(len(points), dtype=int)
        snap_m = np.empty(len(points))
        segment[which], snap_m[which] = seg, dist
        along = shapely.line_locate_point(self.segments[segment], points)
        return segment, along, snap_m

    def snapped(self, points: np.ndarray) -> Snapped:
        return Snapped(*self.snap(points))

    def distances(self, sources: np.ndarray, targets: np.ndarray | Snapped, *, cutoff_m: float) -> np.ndarray:
        """Walking distance in metres from each target to its nearest source, ``inf`` beyond
        ``cutoff_m`` (distances up to the cutoff are exact).  ``targets`` may be snapped already."""
        out = np.full(len(targets), np.inf)
        if not len(sources) or not len(targets):
            return out
        f_seg, f_along, f_snap = self.snap(sources)
        target = targets if isinstance(targets, Snapped) else self.snapped(targets)
        t_seg, t_along, t_snap = target.segment, target.along, target.snap_m
        node_dist = self._node_distances(f_seg, f_along, f_snap, cutoff_m)
        via_start = t_along + node_dist[self.start[t_seg]]
        via_end = (self.length[t_seg] - t_along) + node_dist[self.end[t_seg]]
        out = t_snap + np.minimum(via_start, via_end)
        for seg, along, snap in zip(f_seg, f_along, f_snap, strict=True):  # a facility on the target's own edge
            same = t_seg == seg
            if same.any():
                direct = t_snap[same] + np.abs(t_along[same] - along) + snap
                out[same] = np.minimum(out[same], direct)
        out[out > cutoff_m] = np.inf
        return out

    def _node_distances(self, seg: np.ndarray, along: np.ndarray, snap: np.ndarray, cutoff_m: float) -> np.ndarray:
        """Distance of every node to the nearest source, by one Dijkstra from a virtual source."""
        links: dict[int, float] = {}
        for s, a, d in zip(seg, along, snap, strict=True):
            for node, w in ((int(self.start[s]), d + a), (int(self.end[s]), d + self.length[s] - a)):
                if w <= cutoff_m and w < links.get(node, np.inf):
                    links[node] = float(w)
        node_dist = np.full(self.graph.number_of_nodes(), np.inf)
        if not links:
            return node_dist
        with self._lock:  # the virtual source is added to the shared graph for the run only
            self.graph.add_weighted_edges_from(((_SOURCE, n, w) for n, w in links.items()), weight="length")
            try:
                reached = nx.single_source_dijkstra_path_length(self.graph, _SOURCE, cutoff=cutoff_m, weight="length")
            finally:
                self.graph.remove_node(_SOURCE)
        reached.pop(_SOURCE, None)
        if reached:
            node_dist[np.fromiter(reached.keys(), dtype=int)] = np.fromiter(reached.values(), dtype=float)
        return node_dist


def straight_distances(sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Straight-line distance in metres from each target to its nearest source (``inf`` with no source)."""
    out = np.full(len(targets), np.inf)
    sources = np.asarray(sources, dtype=object)
    if not len(sources) or not len(targets):
        return out
    tree = shapely.STRtree(sources)
    (which, _), dist = tree.query_nearest(np.asarray(targets, dtype=object), return_distance=True, all_matches=False)
    out[which] = dist
    return out


def walking_distances(
    sources: np.ndarray, targets: np.ndarray | Snapped, *, network: RoadNetwork | None, cutoff_m: float
) -> np.ndarray:
    """Along ``network`` when there is one, else in a straight line; ``inf`` beyond ``cutoff_m``."""
    if network is not None:
        return network.distances(sources, targets, cutoff_m=cutoff_m)
    out = straight_distances(sources, targets)
    out[out > cutoff_m] = np.inf
    return out


__all__ = ["NOT_WALKABLE", "RoadNetwork", "Snapped", "straight_distances", "walking_distances"]
