"""What the sections of ``bench/bench_city.py`` share: the city, the work directory and the stores
built in it (cached there, so ``--only server`` with ``--keep DIR`` does not import everything
again), timing helpers, and child processes measured with ``os.wait4``."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.synthetic_city import IMPORT_FILES, City, write_import_files

ROOT = Path(__file__).resolve().parents[1]
PETAKAMPUNG = Path(sys.executable).parent / "petakampung"
HASH_KEY = "bench-city-hash-key"  # the same key for CLI (environment) and in-process imports
SECRET_KEY = "bench-city-session-secret"  # noqa: S105 - a throwaway store on localhost
# petakampung import LAYER FILE, in this order (kelurahan before what lies in them)
IMPORT_ORDER = ("boundaries", "households", "infrastructure", "gardens", "facilities")
# the store tables each import layer writes, for pyogrio's baseline of the same frames
LAYER_FRAMES = {
    "boundaries": ("kelurahan", "rw", "rt"),
    "households": ("households",),
    "infrastructure": ("works",),
    "gardens": ("gardens",),
    "facilities": ("facilities",),
}
REAL = ROOT.parent / "shared" / "data" / "real" / "wilayah-boundaries"
NATIONAL_PARTS = (
    "indonesia_desa_kelurahan_part1_prov11-51.parquet",
    "indonesia_desa_kelurahan_part2_prov52-96.parquet",
)


@dataclass
class Bench:
    city: City
    scale: float
    runs: int
    workdir: Path
    seed: int = 2026

    @property
    def cache(self) -> Path:
        """Files and stores of this city, kept across runs of the script with ``--keep``."""
        path = self.workdir / f"city-scale{self.scale:g}-seed{self.seed}"
        path.mkdir(parents=True, exist_ok=True)
        return path


def env(**extra: str) -> dict[str, str]:
    """The environment of every petakampung child: one hash key, one session secret."""
    return {**os.environ, "PETAKAMPUNG_HASH_KEY": HASH_KEY, "PETAKAMPUNG_SECRET_KEY": SECRET_KEY, **extra}


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of the whole process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


@dataclass
class ChildRun:
    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the child (and what it waited for)
    peak_mib: float  # the child's own peak resident memory (ru_maxrss)


def run_child(args: Sequence[str | Path], **popen: object) -> ChildRun:
    """Run a child to its end; its wall time, CPU time and peak RSS from ``os.wait4`` (its own
    rusage, not the running maximum over every child that ``RUSAGE_CHILDREN`` gives)."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI with our own arguments
        [str(a) for a in args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen
    )
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, args[:4]))} exited {proc.returncode}: {' | '.join(tail)}")
    return ChildRun(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def cli(store: Path, *args: str | Path) -> ChildRun:
    return run_child([PETAKAMPUNG, "--store", store, *args], env=env())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def med(values: Sequence[float]) -> float:
    return float(np.median(values)) if len(values) else float("nan")


def target(text: str, met: bool | None, measured: str) -> None:
    """One line per target of issue 10: met, not met, or not measured here."""
    word = "not measured" if met is None else ("met" if met else "NOT MET")
    print(f"target: {text:58s} {measured:34s} {word}")


# --- the city's files and stores, cached in the work directory --------------------------------


def import_files(b: Bench) -> dict[str, Path]:
    """The city as ``petakampung import`` files (written once per work directory)."""
    folder = b.cache / "files"
    done = folder / ".complete"
    if done.exists():
        return {layer: folder / name for layer, name in IMPORT_FILES.items()}
    paths = write_import_files(b.city, folder)
    done.touch()
    return paths


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".key", ".secret"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_store(source: Path, dest: Path) -> None:
    """A copy of a store nobody is writing: its WAL checkpointed into the file first."""
    remove_store(dest)
    con = sqlite3.connect(source)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    shutil.copyfile(source, dest)


def city_store(b: Bench) -> Path:
    """The whole city in one store: kept from the ``import`` section's first CLI run, else
    imported here in-process (same importers, same order)."""
    path = b.cache / "city.gpkg"
    if Path(f"{path}.complete").exists():
        return path
    from geo.importer import import_file
    from geo.store import open_store

    files = import_files(b)
    remove_store(path)
    t0 = time.perf_counter()
    for layer in IMPORT_ORDER:
        import_file(open_store(path), layer, files[layer], hash_key=HASH_KEY.encode(), actor="bench")
    Path(f"{path}.complete").touch()
    print(f"(city store built in-process in {time.perf_counter() - t0:.0f} s: {path})")
    return path


def keep_as_city_store(b: Bench, built: Path) -> None:
    """Keep a store the ``import`` section built as the cached city store."""
    path = b.cache / "city.gpkg"
    if Path(f"{path}.complete").exists():
        remove_store(built)
        return
    remove_store(path)
    built.rename(path)
    Path(f"{path}.complete").touch()


def national_store(b: Bench) -> tuple[Path | None, str]:
    """The city plus the 83,402 national kelurahan (skipped when the real data is absent)."""
    parts = [REAL / p for p in NATIONAL_PARTS]
    if not all(p.exists() for p in parts):
        return None, f"national kelurahan files not found under {REAL}: skipped"
    path = b.cache / "national.gpkg"
    note = "the city store plus both national GeoParquet parts (petakampung import boundaries part1 part2)"
    if Path(f"{path}.complete").exists():
        return path, note + " (cached)"
    city = city_store(b)
    copy_store(city, path)
    run = cli(path, "import", "boundaries", *parts)
    Path(f"{path}.complete").touch()
    return path, note + f", imported in {run.wall_s:.0f} s (peak {run.peak_mib:,.0f} MiB)"


# --- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    start_s: float  # from spawn to the first 200 of ``ready_path``
    listen_s: float  # from spawn to the port accepting connections

    def peak_mib(self) -> float:
        """The server's peak resident memory so far (VmHWM)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    args: Sequence[str | Path], port: int, *, ready_path: str = "/", timeout_s: float = 900, **extra_env: str
) -> Server:
    """Spawn a server listening on ``port`` and wait for a 200 from ``ready_path``."""
    import httpx2

    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own servers on localhost
        [str(a) for a in args], env=env(**extra_env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    listen_s = None
    with httpx2.Client(timeout=60) as client:
        while time.perf_counter() - start < timeout_s:
            if proc.poll() is not None:
                raise RuntimeError(f"{Path(str(args[0])).name} exited with code {proc.returncode} before answering")
            if listen_s is None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    listen_s = time.perf_counter() - start
                except OSError:
                    time.sleep(0.01)
                    continue
            try:
                if client.get(url + ready_path).status_code == 200:
                    return Server(proc, url, time.perf_counter() - start, listen_s)
            except httpx2.TransportError:
                pass
            time.sleep(0.02)
    Server(proc, url, 0, 0).stop()
    raise RuntimeError(f"{args[0]} did not answer {ready_path} within {timeout_s:.0f} s")


def petakampung_server(store: Path) -> Server:
    port = free_port()
    return start_server([PETAKAMPUNG, "--store", store, "serve", "--port", str(port)], port)
