"""Charts as PNG for reports (matplotlib, no display needed)."""

from __future__ import annotations

import io

import pandas as pd


def kurva_s_png(curve: pd.DataFrame, *, title: str, labels: dict[str, str], lang: str = "id") -> bytes:
    """The Kurva S; dates on the x axis as ``Agu 2019`` (id) / ``Aug 2019`` (en), percentages as numbers."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    from geo.formats import month, number

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=120)
    dates = pd.to_datetime(curve["date"])
    ax.plot(dates, curve["planned_pct"], color="#9e9e9e", linestyle="--", label=labels["planned"])
    ax.plot(dates, curve["fisik_pct"], color="#1a9641", linewidth=2, label=labels["fisik"])
    ax.plot(dates, curve["keuangan_pct"], color="#2c7bb6", linestyle=":", linewidth=2, label=labels["keuangan"])
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title(title.replace("$", r"\$"), fontsize=10)  # plain text: a '$' in a name is not mathtext
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: month(mdates.num2date(x), lang, short=True)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y, lang)))
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
