"""The ``import`` section of ``bench/bench_city.py``: the city through ``petakampung import``.

Per layer, in the order boundaries, households, infrastructure, gardens, facilities, into a fresh
store: the CLI as a child process (wall, CPU and the child's own peak RSS from ``os.wait4``), the
same import in-process through :func:`geo.importer.import_file` (the CLI's start-up shows as the
difference), and ``pyogrio.write_dataframe`` of the same frames to a fresh GeoPackage (what the
``write`` section measures), interleaved run by run.  Then a re-import of the same households
file (nothing changes), and one extra kelurahan's boundaries and households into the full city
store against the same files into an empty store: an import must not grow with the store.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from bench.city_common import (
    HASH_KEY,
    IMPORT_ORDER,
    LAYER_FRAMES,
    PETAKAMPUNG,
    Bench,
    ChildRun,
    city_store,
    cli,
    copy_store,
    env,
    import_files,
    keep_as_city_store,
    med,
    remove_store,
    run_child,
    target,
    timed,
)
from bench.synthetic_city import extra_kelurahan, write_import_files
from geo.importer import import_file
from geo.store import open_store

EXTRA_CODE = "32.75.01.1199"  # above every code the synthetic city uses
HOUSEHOLDS_TARGET_X = 3.0  # issue 10: importing 1M households within 3x of pyogrio writing the same frame


def store_frames(b: Bench) -> dict[str, gpd.GeoDataFrame]:
    """The city's frames in EPSG:4326, as the store holds them (made once per Bench)."""
    cached = getattr(b, "_frames_4326", None)
    if cached is None:
        cached = {name: frame.to_crs(4326) for name, frame in b.city.frames().items()}
        b._frames_4326 = cached  # type: ignore[attr-defined]
    return cached


def pyogrio_write(frames: dict[str, gpd.GeoDataFrame], path: Path) -> tuple[float, float]:
    """(wall, CPU) of writing ``frames`` as layers of a fresh GeoPackage with pyogrio."""
    path.unlink(missing_ok=True)
    _, wall, cpu = timed(lambda: [pyogrio.write_dataframe(f, path, layer=n) for n, f in frames.items()])
    path.unlink()
    return wall, cpu


def bench_import(b: Bench) -> None:
    files = import_files(b)
    frames = store_frames(b)
    rows = {layer: sum(len(frames[n]) for n in LAYER_FRAMES[layer]) for layer in IMPORT_ORDER}
    cli_runs: dict[str, list[ChildRun]] = {layer: [] for layer in IMPORT_ORDER}
    inproc: dict[str, list[tuple[float, float]]] = {layer: [] for layer in IMPORT_ORDER}
    base: dict[str, list[tuple[float, float]]] = {layer: [] for layer in IMPORT_ORDER}
    startup = []
    for run in range(b.runs):
        startup.append(run_child([PETAKAMPUNG, "layers"], env=env()))
        store = b.workdir / f"import_cli_{run}.gpkg"
        remove_store(store)
        for layer in IMPORT_ORDER:
            cli_runs[layer].append(cli(store, "import", layer, files[layer]))
        keep_as_city_store(b, store)  # the first run's store serves the later sections
        store = b.workdir / f"import_inproc_{run}.gpkg"
        remove_store(store)
        for layer in IMPORT_ORDER:
            _, wall, cpu = timed(
                lambda s=store, la=layer: import_file(open_store(s), la, files[la], hash_key=HASH_KEY.encode())
            )
            inproc[layer].append((wall, cpu))
        remove_store(store)
        for layer in IMPORT_ORDER:
            chosen = {n: frames[n] for n in LAYER_FRAMES[layer]}
            base[layer].append(pyogrio_write(chosen, b.workdir / f"pyogrio_{layer}.gpkg"))
    _print_layers(b, rows, cli_runs, inproc, base, startup)
    again, extra_full, extra_empty = _incremental(b, files)
    _print_incremental(again, extra_full, extra_empty)
    hh_ratio = med([r.wall_s for r in cli_runs["households"]]) / med([w for w, _ in base["households"]])
    target(
        f"import {rows['households']:,} households within {HOUSEHOLDS_TARGET_X:g}x of pyogrio",
        hh_ratio <= HOUSEHOLDS_TARGET_X,
        f"{hh_ratio:.1f}x (CLI, wall)",
    )
    full, empty = med([r.wall_s for r in extra_full["households"]]), med([r.wall_s for r in extra_empty["households"]])
    target(
        "one kelurahan's households: city store as fast as empty",
        full <= 1.5 * empty,
        f"{full:.1f} s vs {empty:.1f} s ({full / empty:.2f}x)",
    )


def _print_layers(b, rows, cli_runs, inproc, base, startup) -> None:
    print(
        f"\n== import: petakampung import per layer into a fresh store, against pyogrio writing the same "
        f"frames, median of {b.runs} =="
    )
    s = startup
    print(
        f"CLI start-up (petakampung layers, a child): {med([r.wall_s for r in s]):.2f} s wall, "
        f"{med([r.cpu_s for r in s]):.2f} s CPU, peak {med([r.peak_mib for r in s]):,.0f} MiB"
    )
    print(
        f"{'layer':15s} {'rows':>10s} | {'CLI wall':>8s} {'cpu':>7s} {'peak MiB':>8s} | {'in-proc':>7s} {'cpu':>7s} "
        f"| {'pyogrio':>7s} {'cpu':>6s} | {'CLI/pyogrio':>11s} {'in-proc/pyogrio':>15s}"
    )
    for layer in IMPORT_ORDER:
        c = cli_runs[layer]
        cw, cc, peak = med([r.wall_s for r in c]), med([r.cpu_s for r in c]), med([r.peak_mib for r in c])
        iw, ic = med([w for w, _ in inproc[layer]]), med([c for _, c in inproc[layer]])
        bw, bc = med([w for w, _ in base[layer]]), med([c for _, c in base[layer]])
        print(
            f"{layer:15s} {rows[layer]:10,d} | {cw:8.2f} {cc:7.2f} {peak:8,.0f} | {iw:7.2f} {ic:7.2f} "
            f"| {bw:7.2f} {bc:6.2f} | {cw / bw:10.1f}x {iw / bw:14.1f}x"
        )
    total_c = sum(med([r.wall_s for r in cli_runs[la]]) for la in IMPORT_ORDER)
    total_b = sum(med([w for w, _ in base[la]]) for la in IMPORT_ORDER)
    print(f"{'all layers':15s} {sum(rows.values()):10,d} | {total_c:8.2f} {'':26s} | {total_b:7.2f}")
    print("(CLI cpu and peak: the child's own rusage; in-process cpu: this process; pyogrio: boundaries are 3 layers)")


def _incremental(b: Bench, files: dict[str, Path]):
    """Re-import of the households file, and one extra kelurahan into the city and into an empty store."""
    city = city_store(b)
    folder = b.cache / "extra"
    extra = write_import_files(extra_kelurahan(b.city, EXTRA_CODE), folder, ("boundaries", "households"))
    again, full, empty = [], {"boundaries": [], "households": []}, {"boundaries": [], "households": []}
    for run in range(b.runs):
        again.append(cli(city, "import", "households", files["households"]))
        for into, name in ((full, "extra_full"), (empty, "extra_empty")):
            store = b.workdir / f"{name}_{run}.gpkg"
            if into is full:
                copy_store(city, store)
            else:
                remove_store(store)
            for layer in ("boundaries", "households"):
                into[layer].append(cli(store, "import", layer, extra[layer]))
            remove_store(store)
    return again, full, empty


def _print_incremental(again: list[ChildRun], full: dict, empty: dict) -> None:
    def line(label: str, runs: list[ChildRun]) -> str:
        wall, cpu, peak = med([r.wall_s for r in runs]), med([r.cpu_s for r in runs]), med([r.peak_mib for r in runs])
        return f"{label:58s} {wall:7.2f} {cpu:7.2f} {peak:9,.0f}"

    print(f"\n{'':58s} {'wall s':>7s} {'cpu s':>7s} {'peak MiB':>9s}")
    print(line("re-import of the same households file (nothing changes)", again))
    for layer in ("boundaries", "households"):
        print(line(f"one extra kelurahan's {layer}, into the city store", full[layer]))
        print(line("  same, into an empty store (its boundaries only)", empty[layer]))
