"""Shared helpers for the Whyflow notebooks: a read-only connection to the store, queries as
DataFrames, and ``chart_or_fail``, which shows a figure only when it has data.

Connection, from the environment (the local stack's defaults otherwise):
  WHYFLOW_PG_URL        jdbc:postgresql://HOST:PORT/DB (what ./whyflow and the jobs use); wins when set
  WHYFLOW_PG_HOST       127.0.0.1
  WHYFLOW_PG_PORT       55432
  WHYFLOW_PG_DB         whyflow
  WHYFLOW_PG_USER       whyflow
  WHYFLOW_PG_PASSWORD   the local stack's default

A chart with nothing to show is one of two things. On a quiet or healthy period it is an answer:
no problem alerts, no refused records, a "why" with no hypothesis. A notebook says so explicitly
with ``nothing_to_show(reason)`` (a whole chart) or ``nothing_in_panel(ax, reason)`` (one panel of
a figure), which print "nothing to show: <reason>" and let the notebook finish. Anything else
empty is a mistake: ``chart_or_fail`` raises ``EmptyChart``. WHYFLOW_NB_REQUIRE_CHARTS=1 (set by
the notebooks' test, whose dataset has incidents and bad input) turns the explicit path into
``EmptyChart`` as well, so on that dataset every chart is required.
"""
import json
import math
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import psycopg2

DEFAULTS = {"host": "127.0.0.1", "port": 55432, "dbname": "whyflow", "user": "whyflow"}

# Set to 1 where every chart must be drawn (the notebooks' test): "nothing to show" raises there.
REQUIRE_CHARTS = "WHYFLOW_NB_REQUIRE_CHARTS"

# Funnel steps in order, as sessions.furthest_step names them.
FUNNEL_STEPS = ["session", "product", "cart", "checkout", "payment", "order"]


class WhyflowError(Exception):
    """A problem the reader can act on: shown as one line in the notebook, without a traceback."""

    def _render_traceback_(self):  # IPython shows this instead of the traceback
        return [f"{type(self).__name__}: {self}"]


class StoreUnavailable(WhyflowError):
    """The store cannot be reached or refuses the credentials."""


class EmptyStore(WhyflowError):
    """The store holds no rows for what a notebook needs."""


class EmptyChart(WhyflowError):
    """A chart was about to be shown without data."""


class AskFailed(WhyflowError):
    """``./whyflow ask`` refused the question or could not run."""


def connection_settings(env=None):
    """Host, port, database, user and password from the environment, local stack by default."""
    env = os.environ if env is None else env
    s = dict(DEFAULTS, password=env.get("WHYFLOW_PG_PASSWORD", "whyflow"))
    url = env.get("WHYFLOW_PG_URL")
    if url:
        parts = urlsplit(re.sub(r"^jdbc:", "", url))
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise StoreUnavailable(f"WHYFLOW_PG_URL is not a PostgreSQL URL: {url!r}")
        s.update(host=parts.hostname, port=parts.port or 5432, dbname=parts.path.lstrip("/") or s["dbname"])
        if parts.username:
            s["user"] = parts.username
    else:
        s.update(host=env.get("WHYFLOW_PG_HOST", s["host"]), port=int(env.get("WHYFLOW_PG_PORT", s["port"])),
                 dbname=env.get("WHYFLOW_PG_DB", s["dbname"]))
    s["user"] = env.get("WHYFLOW_PG_USER", s["user"])
    return s


_connection = None


def connect():
    """One read-only connection per kernel (autocommit: every query sees the latest rows)."""
    global _connection
    if _connection is None or _connection.closed:
        s = connection_settings()
        try:
            _connection = psycopg2.connect(connect_timeout=10, application_name="whyflow-notebook", **s)
        except psycopg2.OperationalError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise StoreUnavailable(f"cannot reach the Whyflow store {s['user']}@{s['host']}:{s['port']}/{s['dbname']}"
                                   f" ({first}); is it up (./whyflow up postgres)?") from None
        _connection.set_session(readonly=True, autocommit=True)
    return _connection


def describe_store():
    """Where the notebook reads from, for its first output."""
    s = connection_settings()
    return f"store {s['user']}@{s['host']}:{s['port']}/{s['dbname']} (read-only)"


def query(sql, params=None):
    """Runs a SELECT and returns its rows as a DataFrame (column names from the query)."""
    with connect().cursor() as cur:
        cur.execute(sql, params)
        columns = [d.name for d in cur.description]
        rows = cur.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for c in frame.columns:  # numeric and decimal columns as floats, timestamps as pandas times
        if frame[c].dtype == object and len(frame) and all(_is_number(v) for v in frame[c].dropna()):
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return frame


def _is_number(v):
    return isinstance(v, (int, float)) or type(v).__name__ == "Decimal"


# metrics_1m with the late events added back, as a CTE named `metrics` with metrics_1m's columns
# (but `sessions`), for ``WITH {METRICS_WITH_LATE} SELECT … FROM metrics``. CaptureJob's minute
# rollup leaves out every event flagged late (README, CaptureJob); such an event is only an
# `events` row with late = true. The store's late_events() (migration V11) returns exactly those,
# and rollup_bucket()/rollup_dimension() place each in the minute and with the dimensions its
# rollup row would have had: the query templates (events_rollup.sql) add them the same way, so
# every event is counted once. A late page load is a one-load histogram over page_load_buckets_ms().
METRICS_WITH_LATE = """metrics AS (
    SELECT bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency,
           events, amount_minor, page_load_count, page_load_sum_ms, page_load_max_ms, page_load_hist
    FROM metrics_1m
    UNION ALL
    SELECT rollup_bucket(e.occurred_at), e.event_type, rollup_dimension(e, 'device'), rollup_dimension(e, 'os'),
           rollup_dimension(e, 'app_version'), rollup_dimension(e, 'channel'), rollup_dimension(e, 'country'),
           rollup_dimension(e, 'category'), rollup_dimension(e, 'payment_method'), coalesce(e.currency, ''),
           1, coalesce(e.amount_minor, 0), (e.page_load_ms IS NOT NULL)::int, coalesce(e.page_load_ms, 0), e.page_load_ms,
           CASE WHEN e.page_load_ms IS NOT NULL THEN
               ARRAY(SELECT (e.page_load_ms <= b.upper_ms[i] AND (i = 1 OR e.page_load_ms > b.upper_ms[i - 1]))::int::bigint
                     FROM generate_subscripts(b.upper_ms, 1) AS i ORDER BY i) END
    FROM late_events('-infinity', 'infinity', NULL) e, (SELECT page_load_buckets_ms() AS upper_ms) b
)"""


def require_rows(frame, what):
    """Raises EmptyStore when a query found nothing: the notebook cannot answer its question yet."""
    if frame is None or len(frame) == 0:
        raise EmptyStore(f"no {what} in the store yet (run ./whyflow demo, or point WHYFLOW_PG_* at a store with data)")
    return frame


def _has_values(data):
    if data is None:
        return False
    if isinstance(data, (pd.DataFrame, pd.Series)):
        numeric = data.select_dtypes("number") if isinstance(data, pd.DataFrame) else data
        if isinstance(numeric, pd.Series) and not pd.api.types.is_numeric_dtype(numeric):
            return len(numeric.dropna()) > 0
        values = np.asarray(numeric, dtype=float).ravel() if numeric.size else np.array([])
        if isinstance(data, pd.DataFrame) and numeric.shape[1] == 0:
            return len(data) > 0
        return bool(np.any(np.isfinite(values) & (values != 0)))
    arr = np.asarray(data, dtype=float).ravel()
    return bool(np.any(np.isfinite(arr) & (arr != 0)))


def charts_required(env=None):
    """Whether every chart must be drawn (WHYFLOW_NB_REQUIRE_CHARTS=1): the notebooks' test sets it."""
    return (os.environ if env is None else env).get(REQUIRE_CHARTS) == "1"


def nothing_to_show(reason):
    """The explicit path for a chart that is empty by design: a quiet period has no problem alerts,
    a healthy CaptureJob refuses nothing. Prints "nothing to show: <reason>" so the notebook goes
    on; where charts are required (``charts_required()``) it raises ``EmptyChart`` with the reason
    instead. Call it *instead of* drawing and ``chart_or_fail`` once the data has been looked at,
    never to silence an empty chart."""
    if charts_required():
        raise EmptyChart(f"nothing to show ({reason}), but {REQUIRE_CHARTS}=1 requires this chart")
    print(f"nothing to show: {reason}")


def nothing_in_panel(ax, reason):
    """``nothing_to_show`` for one panel of a figure whose other panels have data: the panel says
    the reason in place of a chart and ``chart_or_fail`` accepts it as empty by design. Raises
    ``EmptyChart`` where charts are required."""
    if charts_required():
        plt.close(ax.figure)
        raise EmptyChart(f"nothing to show in {ax.get_title() or 'a panel'!r} ({reason}), but {REQUIRE_CHARTS}=1 requires it")
    ax.text(0.5, 0.5, f"nothing to show: {reason}", transform=ax.transAxes, ha="center", va="center",
            fontsize=10, color="dimgray", wrap=True)
    ax._whyflow_nothing_to_show = reason
    print(f"nothing to show in {ax.get_title() or 'a panel'!r}: {reason}")


def chart_or_fail(fig, data):
    """Shows ``fig`` when ``data`` (what it plots) has a non-zero value and every panel of the figure
    holds drawn data; raises EmptyChart otherwise, so an empty chart (or an empty panel of a chart
    with several) fails the notebook instead of misleading. Hidden panels, ones turned off with
    ``ax.axis("off")`` (a table or a text beside a chart) and ones given to ``nothing_in_panel`` are
    not data panels; reference lines and shaded spans (axhline, axvline, axhspan, axvspan) are not
    data. A chart that may rightly be empty goes through ``nothing_to_show`` instead."""
    title = fig._suptitle.get_text() if fig._suptitle else next((a.get_title() for a in fig.axes if a.get_title()), "chart")
    if not _has_values(data):
        plt.close(fig)
        raise EmptyChart(f"'{title}': its data has no rows or only zeros")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison and not hasattr(ax, "_whyflow_nothing_to_show")]
    empty = [ax for ax in panels if _drawn_artists(ax) == 0]
    if not panels or empty:
        plt.close(fig)
        names = ", ".join(repr(ax.get_title() or f"panel {fig.axes.index(ax) + 1}") for ax in empty) or "every panel"
        raise EmptyChart(f"'{title}': nothing was drawn in {names}")
    fig.tight_layout()
    plt.show()


def _drawn_artists(ax):
    """How many data artists one panel holds: lines with points, bars, areas, markers, images.
    Only what is placed by data on both axes counts; a reference line (axhline, axvline) or a span
    (axhspan, axvspan, a fill_between over the axes' height) is placed in axes coordinates along
    one axis, so a panel holding only those is empty."""
    def by_data(transform):
        return transform.contains_branch(ax.transData)

    n = 0
    for line in ax.get_lines():
        y = np.asarray(line.get_ydata(), dtype=float)
        n += int(by_data(line.get_transform()) and np.isfinite(y).any())
    for patch in ax.patches:
        # a bar counts when it has height and width; spans are patches too, placed by the axes
        if by_data(patch.get_data_transform()) and getattr(patch, "get_height", None) and patch.get_height() and patch.get_width():
            n += int(math.isfinite(patch.get_height()))
    for coll in ax.collections:
        paths_by_data = len(coll.get_paths()) > 0 and by_data(coll.get_transform())               # areas, hlines
        markers_by_data = len(coll.get_offsets()) > 0 and by_data(coll.get_offset_transform())   # scatter
        n += int(paths_by_data or markers_by_data)
    return n + len(ax.images)


def percent(x):
    return f"{100 * x:.1f}%"


# --- windows where a count runs away from what was expected ---------------------------------

def scan_window(observed, expected, max_len=12, excess=True):
    """Kulldorff's Poisson scan statistic over a series of time buckets: the run of at most
    ``max_len`` consecutive buckets whose observed count departs most from its expected one (above
    it when ``excess``, below it otherwise), where ``expected`` is any exposure (sessions, payment
    attempts) scaled to the observed total. Returns (first, last, observed, expected, llr) or None."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    total, exposure = o.sum(), e.sum()
    if total <= 0 or exposure <= 0:
        return None
    e = e * total / exposure
    n = len(o)
    co = np.concatenate([[0.0], np.cumsum(o), np.full(max_len, np.nan)])
    ce = np.concatenate([[0.0], np.cumsum(e), np.full(max_len, np.nan)])
    starts = np.arange(n)[:, None]
    lengths = np.arange(1, max_len + 1)[None, :]
    inside_o = co[starts + lengths] - co[starts]
    inside_e = ce[starts + lengths] - ce[starts]
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = (np.where(inside_o > 0, inside_o * np.log(inside_o / inside_e), 0.0)
               + np.where(total - inside_o > 0, (total - inside_o) * np.log((total - inside_o) / (total - inside_e)), 0.0))
    departs = inside_o > inside_e if excess else inside_o < inside_e
    llr = np.where(departs & (inside_e > 0) & (total - inside_e > 0) & np.isfinite(llr), llr, -np.inf)
    if not np.isfinite(llr).any():
        return None
    i, k = np.unravel_index(np.argmax(llr), llr.shape)
    return int(i), int(i + k), float(inside_o[i, k]), float(inside_e[i, k]), float(llr[i, k])


def significant_window(observed, expected, max_len=12, excess=True, replicates=99, seed=7):
    """``scan_window`` with a Monte Carlo p-value: the share of ``replicates`` random series (the
    same total spread by the expected shares alone) whose best window scores at least as high.
    Returns (first, last, observed, expected, p) or None. Seeded: the same data gives the same answer."""
    best = scan_window(observed, expected, max_len, excess)
    if best is None:
        return None
    e = np.asarray(expected, dtype=float)
    rng = np.random.default_rng(seed)
    total = int(round(float(np.asarray(observed, dtype=float).sum())))
    as_high = 0
    for _ in range(replicates):
        r = scan_window(rng.multinomial(total, e / e.sum()), e, max_len, excess)
        as_high += int(r is not None and r[4] >= best[4])
    return best[0], best[1], best[2], best[3], (as_high + 1) / (replicates + 1)


# --- asking the query job ---------------------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parent.parent
_no_query_job = False   # set once ./whyflow ask found no QueryJob: the next questions go in process at once


def ask(question, now=None, timeout_s=300):
    """Asks through ``./whyflow ask --json`` (the running QueryJob; in process against the store
    when no QueryJob answers) and returns the answer document (answer.v1.json) as a dict.

    WHYFLOW_ASK replaces the command (e.g. ``java -jar jobs/target/whyflow-jobs.jar ask``,
    what ``./whyflow ask`` runs); WHYFLOW_ASK_LOCAL=1 asks in process from the start. ``now`` (a
    timestamp) sets what "today" means, for a store holding past days."""
    global _no_query_job
    command = shlex.split(os.environ.get("WHYFLOW_ASK", "")) or [str(REPOSITORY / "whyflow"), "ask"]
    options = ["--json"]
    if now is not None:
        options += ["--now", pd.Timestamp(now).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")]
    local = os.environ.get("WHYFLOW_ASK_LOCAL") == "1" or _no_query_job
    s = connection_settings()
    env = dict(os.environ, WHYFLOW_PG_URL=f"jdbc:postgresql://{s['host']}:{s['port']}/{s['dbname']}",
               WHYFLOW_PG_USER=s["user"], WHYFLOW_PG_PASSWORD=s["password"])
    for attempt in ("local",) if local else ("job", "local"):
        args = command + options + (["--local"] if attempt == "local" else []) + [question]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, env=env)
        except FileNotFoundError:
            raise AskFailed(f"cannot run {args[0]} (set WHYFLOW_ASK to the ask command)") from None
        except subprocess.TimeoutExpired:
            raise AskFailed(f"no answer to {question!r} within {timeout_s} s") from None
        if done.returncode == 3 and attempt == "job":
            print("no QueryJob answered (./whyflow query start submits it): asking in process from now on")
            _no_query_job = True
            continue
        if done.stdout.strip().startswith("{"):
            return json.loads(done.stdout)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise AskFailed(f"ask exited with {done.returncode}: {last}")
    raise AskFailed("unreachable")


def evidence_frames(answer):
    """Each evidence item of an answer as (claim, template id, DataFrame of its rows)."""
    return [(e["claim"], e["template_id"], pd.DataFrame(e["rows"])) for e in answer.get("evidence", [])]
