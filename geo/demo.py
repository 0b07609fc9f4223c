"""Loading the bundled demo data (see data/README.md and scripts/generate_demo_data.py)."""

from __future__ import annotations

from pathlib import Path

from geo.importer import Progress, _noop, import_file
from geo.store import Store

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PLACES = ("kaliawi_persada", "jatirangga", "batu_jaya", "penyengat_rendah", "tanah_tinggi")
FILES = (
    ("boundaries", "boundaries/{slug}.geojson"),
    ("households", "households/households_{slug}.csv"),
    ("programmes", "community/programmes_{slug}.csv"),
    ("groups", "community/groups_{slug}.csv"),  # before works, gardens and facilities: they name groups
    ("infrastructure", "infrastructure/works_{slug}.geojson"),
    ("infrastructure", "infrastructure/works_progress_{slug}.csv"),
    ("gardens", "infrastructure/gardens_{slug}.geojson"),
    ("facilities", "infrastructure/facilities_{slug}.geojson"),
    ("kumuh", "kumuh/baseline_{slug}.csv"),
    ("roads", "roads/roads_{slug}.geojson"),  # a place without one is measured in straight lines
    ("groups", "community/meetings_{slug}.csv"),
    ("products", "community/products_{slug}.csv"),
    ("proposals", "community/proposals_{slug}.csv"),
    ("funds", "community/funds_{slug}.csv"),
)


def demo_files(data_dir: Path = DEFAULT_DATA_DIR) -> list[tuple[str, Path]]:
    """(layer, file) pairs in the order they must be imported.  A place has only the files its
    story needs (the newer seeds have no works or slum baseline), so absent files are left out;
    every place has its boundaries."""
    pairs = [(layer, data_dir / pattern.format(slug=slug)) for slug in PLACES for layer, pattern in FILES]
    return [(layer, path) for layer, path in pairs if layer == "boundaries" or path.exists()]


def load_demo(store: Store, data_dir: Path = DEFAULT_DATA_DIR, *, hash_key: bytes, progress: Progress = _noop) -> str:
    """Import every demo file; loading twice changes nothing.  Returns a one-line summary."""
    inserted = updated = 0
    for layer, path in demo_files(data_dir):
        total = import_file(store, layer, path, hash_key=hash_key, progress=progress, actor="demo").total
        inserted += total.inserted
        updated += total.updated
    return f"+{inserted} / ~{updated}"
