"""The national indicator batch: `petakampung indicators --all [--parallel]`.

The parallel path (dask.distributed, workers reading the store themselves kota by kota) must give
exactly the single-process path's rows, and both exactly what city_rt_indicators gives for the
whole store in one call; a kota that fails changes nothing; the site keeps answering meanwhile.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.request import urlopen

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from bench.synthetic_city import generate, spread_over_kota, store_city
from geo import indicator_dask
from geo.errors import StoreError
from geo.indicator_batch import (
    LAYERS,
    kota_indicators,
    kota_partitions,
    partition_results,
    run_batch,
    store_location,
    stored_form,
)
from geo.indicator_dask import dask_client
from geo.indicators import KEY, city_rt_indicators
from geo.store import open_store
from tests.conftest import location_of, public_url, run, start_server, stop_server, stored_bytes

SYNTHETIC_KOTA = ("32.71", "32.72", "32.73")  # 5 kelurahan dealt over 3 kota: 2, 2 and 1


@pytest.fixture(scope="module")
def client():
    """A small in-process dask cluster (2 single-threaded workers), always closed."""
    with dask_client(workers=2, processes=False) as c:
        yield c


@pytest.fixture(scope="module")
def synthetic_source(backend):
    """500 RT and 10,000 households in 5 kelurahan spread over 3 kota, built once per backend."""
    city = spread_over_kota(generate(0.05, seed=11), len(SYNTHETIC_KOTA))
    city = replace(city, households=city.households.iloc[::5].reset_index(drop=True))
    return backend.source(lambda store: store_city(store, city), "batch_city")


@pytest.fixture
def synthetic_store(synthetic_source, clone):
    return open_store(clone(synthetic_source))


def whole_store_reference(store) -> pd.DataFrame:
    """city_rt_indicators over every kelurahan of the store at once: no partitions, no dask."""
    return stored_form(city_rt_indicators(*(store.read(name) for name in LAYERS)).table)


def gathered(results) -> pd.DataFrame:
    frames = []
    for kota, frame in results:
        assert not isinstance(frame, BaseException), f"{kota}: {frame!r}"
        assert set(frame["kelurahan_code"].str[:5]) == {kota}
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(KEY).reset_index(drop=True)


def stored_rows(store) -> pd.DataFrame:
    return store.read("rt_indicators").drop(columns="fid", errors="ignore").sort_values(KEY).reset_index(drop=True)


def test_parallel_equals_single_process_on_the_demo_store(demo_store, client) -> None:
    assert_paths_agree(demo_store, client, {"18.71", "32.75", "36.71", "15.71", "31.71"})  # the five seeds' kota


def test_parallel_equals_single_process_on_a_synthetic_multi_kota_store(synthetic_store, client) -> None:
    assert_paths_agree(synthetic_store, client, set(SYNTHETIC_KOTA))


def assert_paths_agree(store, client, expected_kota: set[str]) -> None:
    partitions = kota_partitions(store)
    assert set(partitions) == expected_kota
    location = store_location(location_of(store))
    single = gathered(partition_results(location, partitions))
    parallel = gathered(partition_results(location, partitions, client=client))
    reference = whole_store_reference(store)
    assert len(reference) == len(store.read("rt", geometry=False))
    assert reference["kk_total"].sum() == len(store.read("households", geometry=False))
    assert_frame_equal(single, reference, check_exact=True)
    assert_frame_equal(parallel, reference, check_exact=True)


def test_batch_writes_every_rt_once_and_a_rerun_writes_nothing(synthetic_store, capsys) -> None:
    location = str(location_of(synthetic_store))
    code, out, err = run(["--store", location, "indicators", "--all"], capsys)
    assert code == 0, err
    assert "3 kota/kabupaten" in out
    assert "satu proses" in out
    assert "Selesai dalam" in out
    assert "500 RT" in out
    assert_frame_equal(stored_rows(synthetic_store), whole_store_reference(synthetic_store), check_exact=True)
    before = stored_bytes(synthetic_store)
    code, out, _ = run(["--store", location, "--lang", "en", "indicators", "--all"], capsys)
    assert code == 0
    assert out.count("0 new, 0 changed") == 3
    assert stored_bytes(synthetic_store) == before


def _fail_for_32_71(location: str, codes: list[str]) -> pd.DataFrame:
    """A worker task that breaks on kota 32.71 (as a worker running out of memory would) and is
    the real computation everywhere else."""
    if codes[0].startswith("32.71"):
        raise MemoryError("kota 32.71 did not fit")
    return kota_indicators(open_store(location), codes)


def test_a_failed_kota_changes_nothing_and_the_others_are_written(synthetic_store, client) -> None:
    store = synthetic_store
    location = store_location(location_of(store))
    partitions = kota_partitions(store)
    run_batch(store, partitions, partition_results(location, partitions))
    old = stored_rows(store)
    households = store.read("households")
    with store.transaction("test") as writer:  # every household becomes poor: kk_poor changes everywhere
        writer.upsert(store.specs["households"], households.assign(decile=1))
    results = partition_results(location, partitions, client=client, task=_fail_for_32_71)
    report = run_batch(store, partitions, results, lang="en")
    assert [p.kota for p in report.failed] == ["32.71"]
    assert "MemoryError: kota 32.71 did not fit" in report.failed[0].error
    now = stored_rows(store)
    failed = now["kelurahan_code"].str.startswith("32.71")
    assert_frame_equal(now[failed], old[failed], check_exact=True)  # exactly as before
    fresh = whole_store_reference(store)
    assert_frame_equal(now[~failed], fresh[~failed], check_exact=True)
    assert (now.loc[~failed, "kk_poor"] == now.loc[~failed, "kk_total"]).all()
    assert (now.loc[failed, "kk_poor"] < now.loc[failed, "kk_total"]).any()


def test_the_same_code_runs_on_a_cluster_given_its_scheduler_address(demo_store, capsys, monkeypatch) -> None:
    location = str(location_of(demo_store))
    with dask_client(workers=1, processes=False) as other:  # "the cluster": reached only by its address
        address = other.scheduler.address
        code, out, err = run(["--store", location, "indicators", "--all", "--parallel", "--scheduler", address], capsys)
        assert code == 0, err
        assert f"klaster dask {address}" in out
        assert_frame_equal(stored_rows(demo_store), whole_store_reference(demo_store), check_exact=True)
        monkeypatch.setenv("PETAKAMPUNG_DASK_SCHEDULER", address)
        code, out, err = run(["--store", location, "--lang", "en", "indicators", "--all", "--parallel"], capsys)
        assert code == 0, err
        assert f"the dask cluster {address}" in out
        assert out.count("0 new, 0 changed") == 5  # one line per kota of the five seeds


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"  # nobody listens once the socket is closed


@pytest.mark.parametrize("address", [None, "10.0.0.5", "tcp://[::1", "tcp://127.0.0.1:http"])
def test_an_unreachable_scheduler_is_named_and_the_store_is_unchanged(address, demo_store, capsys, monkeypatch) -> None:
    """A closed port, an address without a port, a broken IPv6 address, a port that is a word."""
    monkeypatch.setattr(indicator_dask, "CONNECT_TIMEOUT_S", 2.0)
    address = address or _closed_port()
    before = stored_bytes(demo_store)
    args = ["--store", str(location_of(demo_store)), "indicators", "--all", "--parallel", "--scheduler", address]
    code, _, err = run(args, capsys)
    assert code == 1
    assert f"penjadwal dask {address} tidak dapat dihubungi" in err
    assert "Penyimpanan tidak berubah" in err
    assert "Traceback" not in err
    assert stored_bytes(demo_store) == before


@pytest.mark.parametrize(
    "args",
    [
        ["indicators"],
        ["indicators", "--all", "--kelurahan", "18.71.06.1012"],
        ["indicators", "--kelurahan", "18.71.06.1012", "--parallel"],
        ["indicators", "--kelurahan", "18.71.06.1012", "--workers", "2"],
    ],
)
def test_one_kelurahan_or_all_never_both(args, demo_store, capsys) -> None:
    before = stored_bytes(demo_store)
    code, _, err = run(["--store", str(location_of(demo_store)), *args], capsys)
    assert code == 2
    assert "pilih satu: --kelurahan KODE (satu kelurahan) atau --all (semua)" in err
    assert stored_bytes(demo_store) == before


def test_the_results_are_restricted(backend, demo_store, capsys) -> None:
    """Unsuppressed household counts: the site's public role cannot read them on PostGIS."""
    location = location_of(demo_store)
    assert run(["--store", str(location), "indicators", "--all"], capsys)[0] == 0
    assert not demo_store.specs["rt_indicators"].public
    if not backend.is_pg:
        pytest.skip("a GeoPackage has no roles: the file is restricted as a whole (see README)")
    from tests.conftest import _grant_public

    _grant_public(str(location))
    with pytest.raises(StoreError) as caught:
        open_store(public_url(str(location))).read("rt_indicators")
    assert caught.value.code == "store.pg_denied"


def _get(url: str) -> int:
    with urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def test_the_site_answers_while_the_parallel_batch_runs(synthetic_source, clone) -> None:
    """A real server and a real `petakampung indicators --all --parallel` (2 worker processes) on
    the same store: pages keep answering while the batch reads and writes, and after it."""
    location = clone(synthetic_source)
    store = open_store(location)
    code = sorted(store.read("kelurahan", geometry=False)["kelurahan_code"])[0]
    proc, url = start_server(location)
    batch = None
    try:
        pages = [f"{url}/kelurahan/{code}", f"{url}/kota/{code[:5]}", f"{url}/"]
        assert all(_get(page) == 200 for page in pages)
        exe = Path(sys.executable).parent / "petakampung"
        batch = subprocess.Popen(
            [str(exe), "--store", str(location), "indicators", "--all", "--parallel", "--workers", "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        during = []
        while batch.poll() is None:
            status = _get(pages[len(during) % len(pages)])
            if batch.poll() is None:  # answered while the batch was still running
                during.append(status)
            time.sleep(0.05)
        out, err = batch.communicate(timeout=60)
        assert batch.returncode == 0, err
        assert "Selesai dalam" in out
        assert len(during) >= 3
        assert set(during) == {200}
        assert all(_get(page) == 200 for page in pages)  # and after the writes bumped the versions
        assert len(store.read("rt_indicators", geometry=False)) == len(store.read("rt", geometry=False))
    finally:
        if batch is not None and batch.poll() is None:
            batch.kill()
            batch.wait()
        stop_server(proc)
