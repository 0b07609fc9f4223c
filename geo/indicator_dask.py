"""Running the national indicator batch on dask.distributed.

:func:`dask_client` gives a client of a ``LocalCluster`` on this machine, or of the cluster whose
scheduler is at ``tcp://HOST:8786`` (``--scheduler`` / ``PETAKAMPUNG_DASK_SCHEDULER``): the same
code runs on both.  :func:`dask_results` submits one task per kota partition
(:func:`geo.indicator_batch.kota_task`) and yields each result as it finishes, so this process
writes one kota while the workers compute the next.

Why futures and not a dask-geopandas frame: a partition is read by its worker straight from the
store and comes back as a plain table (no geometry), and each partition must succeed or fail on
its own (its own transaction); a collection computed as one graph fails as a whole.  The spatial
work inside a partition is :func:`geo.indicators.city_rt_indicators`, the one calculation of the
single-process path.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import uuid
from collections.abc import Iterator, Mapping

import pandas as pd

from geo.indicator_batch import BatchError, Task

__all__ = ["CONNECT_TIMEOUT_S", "dask_client", "dask_results"]

CONNECT_TIMEOUT_S = 20.0  # how long to try reaching a scheduler before giving up


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int = 2, processes: bool = True) -> Iterator:
    """A dask client: of the scheduler at ``scheduler``, or of a new ``LocalCluster`` of ``workers``
    single-threaded workers (separate processes unless ``processes=False``), closed on exit."""
    from dask.distributed import Client, LocalCluster

    # dask logs each worker's shutdown and every cancelled task as a warning: not the user's business
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler:
        _check_reachable(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise BatchError("batch.scheduler_unreachable", address=scheduler, detail=_first_line(exc)) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",  # a free port: never "8787 already in use" beside another cluster
            memory_limit=0 if not processes else "auto",
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def dask_results(
    client, location: str, partitions: Mapping[str, list[str]], task: Task
) -> Iterator[tuple[str, pd.DataFrame | BaseException]]:
    """(kota, rows or exception) for each partition, as the workers finish them."""
    from dask.distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {
        client.submit(task, location, list(codes), key=f"indicators-{kota}-{run}", pure=False): kota
        for kota, codes in partitions.items()
    }
    try:
        for future in as_completed(futures, loop=client.loop):
            kota = futures[future]
            if future.status == "error":
                yield kota, future.exception()
            else:
                yield kota, future.result()
            future.release()
    finally:
        client.cancel(list(futures))


def _check_reachable(address: str) -> None:
    """Refuse a malformed or unreachable TCP scheduler address before dask tries it: a client that
    fails to connect lingers and prints a traceback when Python collects it, long after our message."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return  # inproc:// and the like: dask's own checks
        host, port = parse_host_port(location)
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except (OSError, ValueError, TypeError) as exc:
        raise BatchError("batch.scheduler_unreachable", address=address, detail=_first_line(exc)) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
