"""``petakampung indicators --all [--parallel] [--workers N] [--scheduler tcp://HOST:8786]``."""

from __future__ import annotations

import click

from geo.formats import number
from geo.i18n import t
from geo.indicator_batch import BatchError, PartitionOutcome, kota_partitions, partition_results, run_batch
from geo.indicator_batch import store_location as worker_location

__all__ = ["indicators_all"]


def indicators_all(store, lang: str, *, parallel: bool, workers: int, scheduler: str | None) -> None:
    """Every kelurahan's RT indicators into ``rt_indicators``, one transaction per kota; exits
    with code 1 when a kota failed (that kota is unchanged; the others are written)."""
    partitions = kota_partitions(store)
    if not partitions:
        raise BatchError("batch.no_rt")
    location = worker_location(store.location)
    if not parallel:
        how = t("batch.single", lang)
    elif scheduler:
        how = t("batch.remote", lang, address=scheduler)
    else:
        how = t("batch.local", lang, workers=workers)
    n_kel = sum(len(codes) for codes in partitions.values())
    click.echo(t("batch.start", lang, kelurahan=number(n_kel, lang), kota=number(len(partitions), lang), how=how))

    def show(outcome: PartitionOutcome) -> None:
        if outcome.error is not None:
            click.echo(t("batch.partition_failed", lang, kota=outcome.kota, error=outcome.error), err=True)
            return
        counts = {k: number(getattr(outcome, k), lang) for k in ("rows", "inserted", "updated", "unchanged")}
        click.echo(t("batch.partition_ok", lang, kota=outcome.kota, **counts))

    if parallel:
        from geo.indicator_dask import dask_client

        with dask_client(scheduler, workers=workers) as client:
            results = partition_results(location, partitions, client=client)
            report = run_batch(store, partitions, results, lang=lang, on_partition=show)
    else:
        report = run_batch(store, partitions, partition_results(location, partitions), lang=lang, on_partition=show)
    ok = [p for p in report.partitions if p.error is None]
    click.echo(
        t(
            "batch.done",
            lang,
            seconds=number(report.seconds, lang, 1),
            rows=number(sum(p.rows for p in ok), lang),
            ok=number(len(ok), lang),
        )
    )
    if report.failed:
        click.echo(t("batch.failed", lang, n=number(len(report.failed), lang)), err=True)
        raise click.exceptions.Exit(1)
